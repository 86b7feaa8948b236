import Foundation
import Testing
@testable import CtfixCore

@Suite struct LogSuppressionTests {
    @Test(arguments: [
        ("printk: 49 messages suppressed.", 49),
        ("printk: 1 messages suppressed.", 1),
        ("net_ratelimit: 98 callbacks suppressed", 98),
        ("nf_conntrack: 27 callbacks suppressed", 27),
        ("__ratelimit: 4 callbacks suppressed", 4),
    ])
    func noticesAreRecognised(_ message: String, _ count: Int) {
        #expect(SuppressionNotice.suppressedCount(in: message) == count)
    }

    @Test(arguments: [
        "nf_conntrack: table full, dropping packet", "printk: messages suppressed.", "printk: 49 messages suppressed. and more",
        "sshd: 3 connections suppressed", "", "printk: -3 messages suppressed.",
    ])
    func otherMessagesAreNotNotices(_ message: String) {
        #expect(SuppressionNotice.suppressedCount(in: message) == nil)
    }

    func match(_ text: String) -> LogMatch { LogMatch(time: nil, source: "test", line: nil, text: text) }

    @Test func seedCaseCountsTwoLinesAndNinetyEightSuppressed() {
        // 08:54:58 match, 08:55:03 printk 49, 08:55:03 match, 08:55:08 printk 49
        var accumulator = MatchAccumulator(limit: 20)
        accumulator.addMatch(match("first"), at: 0)
        accumulator.addSuppressionNotice(count: 49, at: 1)
        accumulator.addMatch(match("second"), at: 2)
        accumulator.addSuppressionNotice(count: 49, at: 3)
        accumulator.finishSource()
        #expect(accumulator.matchedLines == 2)
        #expect(accumulator.suppressedOccurrences == 98)
        #expect(accumulator.total == 100)
        // The first notice goes to the next match, the second to the previous one.
        #expect(accumulator.recent.map(\.suppressed) == [0, 98])
    }

    @Test func nextMatchWithinThreeLinesIsPreferred() {
        var accumulator = MatchAccumulator(limit: 20)
        accumulator.addMatch(match("a"), at: 10)
        accumulator.addSuppressionNotice(count: 5, at: 11)
        accumulator.addMatch(match("b"), at: 14)
        accumulator.finishSource()
        #expect(accumulator.recent.map(\.suppressed) == [0, 5])
    }

    @Test func previousMatchWhenNoNextWithinThreeLines() {
        var accumulator = MatchAccumulator(limit: 20)
        accumulator.addMatch(match("a"), at: 10)
        accumulator.addSuppressionNotice(count: 5, at: 13)
        accumulator.addMatch(match("b"), at: 17) // 4 lines after the notice: too far
        accumulator.finishSource()
        #expect(accumulator.recent.map(\.suppressed) == [5, 0])
        #expect(accumulator.total == 7)
    }

    @Test func noticeFarFromAnyMatchIsIgnored() {
        var accumulator = MatchAccumulator(limit: 20)
        accumulator.addMatch(match("a"), at: 10)
        accumulator.addSuppressionNotice(count: 500, at: 14)
        accumulator.addMatch(match("b"), at: 18)
        accumulator.finishSource()
        #expect(accumulator.suppressedOccurrences == 0)
        #expect(accumulator.ignoredNotices == 1)
    }

    @Test func noticeBeforeTheFirstMatchGoesToIt() {
        var accumulator = MatchAccumulator(limit: 20)
        accumulator.addSuppressionNotice(count: 7, at: 0)
        accumulator.addMatch(match("a"), at: 3)
        accumulator.finishSource()
        #expect(accumulator.recent.map(\.suppressed) == [7])
    }

    @Test func noticesDoNotCrossSources() {
        var accumulator = MatchAccumulator(limit: 20)
        accumulator.addMatch(match("rotated"), at: 100)
        accumulator.finishSource()
        accumulator.addSuppressionNotice(count: 9, at: 0)
        accumulator.finishSource()
        #expect(accumulator.suppressedOccurrences == 0)
    }

    @Test func onlyTheMostRecentMatchesAreKeptButAllCounted() {
        var accumulator = MatchAccumulator(limit: 20)
        for index in 0..<50 { accumulator.addMatch(match("m\(index)"), at: index * 10) }
        accumulator.addSuppressionNotice(count: 3, at: 491)
        accumulator.finishSource()
        #expect(accumulator.recent.count == 20)
        #expect(accumulator.recent.first?.text == "m30")
        #expect(accumulator.recent.last?.suppressed == 3)
        #expect(accumulator.total == 53)
    }

    @Test func centos5DmesgFixtureCountsPrintkNotices() async throws {
        let text = try LogFixture.text("04_ip_conntrack_centos5_dmesg_printk_suppressed.log")
        let context = LogTestHost.context(["/root/dmesg.txt": text], now: "2012-08-13T15:00:00Z")
        let result = await LogPredicate.make(sources: [.file("/root/dmesg.txt")]).evaluate(in: context)
        #expect(result.state == .holds)
        #expect(result.count == 6)
        #expect(result.detail.hasPrefix("3 lines + 3 suppressed = 6 in the whole log in /root/dmesg.txt"))
        #expect(result.matches.map(\.suppressed) == [0, 1, 2])
        #expect(result.matches.map(\.line) == [1, 3, 5])
    }

    @Test func modernCallbacksSuppressedInKernLog() async {
        let log = """
        Mar  3 10:00:00 node-7 kernel: [ 1000.000001] net_ratelimit: 250 callbacks suppressed
        Mar  3 10:00:00 node-7 kernel: [ 1000.000002] nf_conntrack: nf_conntrack: table full, dropping packet
        Mar  3 10:00:05 node-7 kernel: [ 1005.000001] nf_conntrack: 120 callbacks suppressed
        Mar  3 10:00:05 node-7 kernel: [ 1005.000002] nf_conntrack: nf_conntrack: table full, dropping packet
        Mar  3 10:00:06 node-7 systemd[1]: Started Session 42 of user root.
        """
        let context = LogTestHost.context(["/var/log/kern.log": log + "\n"], now: "2025-03-03T10:05:00Z")
        let result = await LogPredicate.make(within: "15m", minimumCount: 300).evaluate(in: context)
        #expect(result.state == .holds)
        #expect(result.count == 372)
        #expect(result.detail.hasPrefix("2 lines + 370 suppressed = 372 within 15m in /var/log/kern.log"))
    }
}
