import Foundation
import Testing
@testable import CtfixCore

/// Issue 9 item 4: the log formats and habits of real hosts that ctfix had not seen — OpenWrt
/// `logread`, a no-break space in the header, syslog daemons' repeat lines, an indented
/// rate-limiter notice, a Markdown fence glued to a pasted line — each through the parser and
/// through a whole `log` predicate.
@Suite struct LogRealHostFormatTests {
    static let full = "nf_conntrack: table full, dropping packet"

    func parse(_ line: String, now: String = "2022-12-16T12:00:00Z", zone: String = "UTC") -> KernelLogLine {
        var parser = KernelLogLineParser(now: LogTestHost.date(now), timeZone: TimeZone(identifier: zone)!)
        return parser.parse(line)
    }

    func count(_ lines: [String], now: String, within: String? = "15m", zone: String = "UTC") async -> PredicateResult {
        let context = LogTestHost.context(["/var/log/messages": lines.joined(separator: "\n") + "\n"], now: now, timeZone: zone)
        return await LogPredicate.make(within: within, sources: [.file("/var/log/messages")]).evaluate(in: context)
    }

    // MARK: OpenWrt logread

    @Test func openWrtLogreadLineHasItsLocalTimeAndIsKernel() {
        let line = parse("Fri Dec 16 10:09:21 2022 kern.warn kernel: [36572.424531] \(Self.full)", zone: "Europe/Berlin")
        #expect(line.format == .logread)
        #expect(line.time == LogTestHost.date("2022-12-16T09:09:21Z"))
        #expect(line.isKernel)
        #expect(line.secondsSinceBoot == 36572.424531)
        #expect(line.message == Self.full)
        #expect(line.facility == 0)
    }

    @Test(arguments: ["user.notice", "daemon.err", "authpriv.warn"])
    func openWrtLinesOfOtherFacilitiesAreNotKernel(_ facility: String) {
        // `logger -t kernel` on OpenWrt gives `user.notice kernel:`
        let line = parse("Fri Dec 16 10:09:21 2022 \(facility) kernel: \(Self.full)")
        #expect(line.format == .logread)
        #expect(!line.isKernel)
    }

    @Test func anOldOpenWrtLineNoLongerFiresForEver() async {
        let lines = ["Fri Dec 16 10:09:21 2022 kern.warn kernel: [36572.424531] \(Self.full)",
                     "Fri Dec 16 10:09:22 2022 user.notice kernel: \(Self.full)"]
        let recent = await count(lines, now: "2022-12-16T10:20:00Z")
        #expect(recent.state == .holds)
        #expect(recent.count == 1)
        let weeksLater = await count(lines, now: "2023-01-10T10:00:00Z")
        #expect(weeksLater.state == .doesNotHold)
        #expect(weeksLater.count == 0)
    }

    // MARK: No-break space

    @Test func aNoBreakSpaceInTheHeaderIsASeparator() {
        let line = parse("Dec 16 10:09:21 fw1\u{00A0}kernel:\u{00A0}\(Self.full)")
        #expect(line.format == .rfc3164)
        #expect(line.isKernel)
        #expect(line.host == "fw1")
        #expect(line.message == Self.full)
        #expect(line.time == LogTestHost.date("2022-12-16T10:09:21Z"))
        let logread = parse("Fri\u{00A0}Dec 16 10:09:21 2022 kern.warn\u{00A0}kernel: \(Self.full)")
        #expect(logread.isKernel && logread.time != nil)
    }

    @Test(arguments: [
        "Dec 16 10:09:21 fw1 alice:\u{00A0}kernel: \(full)",            // another tag ends the header
        "Dec 16 10:09:21 fw1 alice\u{00A0}kernel: \(full)",             // kernel: in the third position
        "Dec 16 10:09:21 fw1 user.notice\u{00A0}kernel: \(full)",       // facility user
        "<13>Dec 16 10:09:21 fw1\u{00A0}kernel: \(full)",               // priority says user
        ">\u{00A0}Dec 16 10:09:21 fw1 kernel: \(full)",                 // a Markdown quote
        "Customer wrote:\u{00A0}fw1\u{00A0}kernel: \(full)",            // free text quoting
        "Fri Dec 16 10:09:21 2022 user.notice\u{00A0}kernel: \(full)",  // OpenWrt logger -t kernel
    ])
    func aNoBreakSpaceNeverTurnsAnotherProgramsLineIntoAKernelLine(_ text: String) async {
        #expect(!parse(text).isKernel)
        #expect(await count([text], now: "2022-12-16T10:10:00Z", within: nil).count == 0)
    }

    @Test func aNoBreakSpaceLineCountsInAPredicate() async {
        let result = await count(["Dec 16 10:09:21 fw1\u{00A0}kernel: \(Self.full)"], now: "2022-12-16T10:10:00Z")
        #expect(result.state == .holds)
        #expect(result.count == 1)
    }

    // MARK: Repeat lines

    @Test(arguments: [
        "Dec 16 10:09:52 fw1 last message repeated 7 times",
        "Dec 16 10:09:52 fw1 kernel: last message repeated 7 times",
        "Dec 16 10:09:52 fw1 kernel: message repeated 7 times: [ \(full)]",
    ])
    func aRepeatLineCountsAsMoreOccurrencesOfTheKernelLineBefore(_ repeatLine: String) async {
        let result = await count(["Dec 16 10:09:21 fw1 kernel: \(Self.full)", repeatLine], now: "2022-12-16T10:10:00Z")
        #expect(result.count == 8)
        #expect(result.matches.count == 1)
        #expect(result.matches.first?.suppressed == 7)
        #expect(parse(repeatLine).repeatedCount == 7)
    }

    @Test func repeatLinesOneAfterAnotherAllCount() async {
        let lines = ["Dec 16 10:09:21 fw1 kernel: \(Self.full)",
                     "Dec 16 10:09:52 fw1 last message repeated 7 times",
                     "Dec 16 10:10:22 fw1 last message repeated 30 times"]
        #expect(await count(lines, now: "2022-12-16T10:11:00Z").count == 38)
    }

    @Test(arguments: [
        // the line before is another program's
        ["Dec 16 10:09:21 fw1 alice: \(full)", "Dec 16 10:09:52 fw1 last message repeated 7 times"],
        // a kernel line that does not match
        ["Dec 16 10:09:21 fw1 kernel: eth0: link up", "Dec 16 10:09:52 fw1 last message repeated 7 times"],
        // another line in between: the repeat is of that one
        ["Dec 16 10:09:21 fw1 kernel: \(full)", "Dec 16 10:09:30 fw1 kernel: eth0: link up",
         "Dec 16 10:09:52 fw1 last message repeated 7 times"],
        // another host's repeat (a relay's merged file)
        ["Dec 16 10:09:21 fw1 kernel: \(full)", "Dec 16 10:09:52 fw2 last message repeated 7 times"],
        // a non-kernel tag on the repeat (rsyslog keeps the original's tag)
        ["Dec 16 10:09:21 fw1 kernel: \(full)", "Dec 16 10:09:52 fw1 sshd[1]: message repeated 7 times: [ \(full)]"],
        // the user facility's repeat
        ["Dec 16 10:09:21 fw1 kernel: \(full)", "<13>Dec 16 10:09:52 fw1 last message repeated 7 times"],
        // a program writing the words as its message
        ["Dec 16 10:09:21 fw1 kernel: \(full)", "Dec 16 10:09:52 fw1 alice: last message repeated 7 times"],
    ])
    func aRepeatOfAnythingButAMatchedKernelLineCountsNothing(_ lines: [String]) async {
        let result = await count(lines, now: "2022-12-16T10:10:00Z")
        let kernelMatches = lines.filter { $0.contains("fw1 kernel: \(Self.full)") }.count
        #expect(result.count == kernelMatches)
        #expect(result.matches.allSatisfy { $0.suppressed == 0 })
    }

    @Test func theRepeatLinesOwnTimePlacesItInTheWindow() async {
        let lines = ["Dec 16 09:50:00 fw1 kernel: \(Self.full)",
                     "Dec 16 10:05:00 fw1 last message repeated 7 times"]
        let result = await count(lines, now: "2022-12-16T10:10:00Z")
        #expect(result.matches.isEmpty)
        #expect(result.count == 7)
        let later = await count(lines, now: "2022-12-16T10:30:00Z")
        #expect(later.count == 0)
    }

    @Test func anAbsurdRepeatCountIsCapped() async {
        let lines = ["Dec 16 10:09:21 fw1 kernel: \(Self.full)",
                     "Dec 16 10:09:52 fw1 last message repeated 999999999999 times"]
        #expect(await count(lines, now: "2022-12-16T10:10:00Z").count == 1 + RepeatNotice.maximumCount)
        #expect(parse("Dec 16 10:09:52 fw1 last message repeated 0 times").repeatedCount == nil)
        #expect(parse("Dec 16 10:09:52 fw1 last message repeated 7 times, really").repeatedCount == nil)
    }

    // MARK: Indented rate-limiter notices

    @Test(arguments: [
        "   net_ratelimit: 42 callbacks suppressed",
        "\tnet_ratelimit: 42 callbacks suppressed",
        "Dec 16 10:09:22 fw1 kernel:    net_ratelimit: 42 callbacks suppressed",
        "Dec 16 10:09:22 fw1 kernel: [36572.5]   net_ratelimit: 42 callbacks suppressed",
        "Dec 16 10:09:22 fw1\u{00A0}kernel:\u{00A0}net_ratelimit: 42 callbacks suppressed",
    ])
    func anIndentedSuppressionNoticeKeepsItsCount(_ notice: String) async {
        let line = parse(notice)
        #expect(SuppressionNotice.suppressedCount(in: line.message) == 42)
        let result = await count(["Dec 16 10:09:21 fw1 kernel: \(Self.full)", notice], now: "2022-12-16T10:10:00Z", within: nil)
        #expect(result.count == 43)
    }
}
