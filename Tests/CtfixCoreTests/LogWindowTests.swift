import Foundation
import Testing
@testable import CtfixCore

/// Windows, `min_count`, rotation and timestamp-less sources, on the seed's /var/log/messages.
@Suite struct LogWindowTests {
    func seedHost(now: String) throws -> EvaluationContext {
        let messages = try LogFixture.text("seed_001_centos_messages_printk_suppressed.log")
        return LogTestHost.context(["/var/log/messages": messages], now: now)
    }

    @Test func seedIncidentWithinFifteenMinutes() async throws {
        let context = try seedHost(now: "2011-11-08T09:00:00Z")
        let result = await LogPredicate.make(within: "15m").evaluate(in: context)
        #expect(result.state == .holds)
        #expect(result.count == 100)
        #expect(result.detail == "2 lines + 98 suppressed = 100 within 15m in /var/log/messages (min_count 1)")
        #expect(result.matches.map(\.line) == [1, 3])
        #expect(result.matches.map(\.source) == ["/var/log/messages", "/var/log/messages"])
        #expect(result.matches.last?.time == LogTestHost.date("2011-11-08T08:55:03Z"))
        #expect(result.matches.last?.text == "Nov 8 08:55:03 server kernel: ip_conntrack: table full, dropping packet.")
    }

    @Test func outsideTheWindowDoesNotHold() async throws {
        let context = try seedHost(now: "2011-11-08T10:00:00Z")
        let result = await LogPredicate.make(within: "15m").evaluate(in: context)
        #expect(result.state == .doesNotHold)
        #expect(result.count == 0)
        #expect(result.detail.hasPrefix("0 matching lines within 15m in /var/log/messages"))
    }

    @Test func windowBoundaryIsInclusive() async throws {
        // The window starts exactly at 08:55:03: the 08:54:58 line is out, both 08:55:03 lines in.
        let context = try seedHost(now: "2011-11-08T09:10:03Z")
        let result = await LogPredicate.make(within: "15m").evaluate(in: context)
        #expect(result.count == 99)
        #expect(result.detail.hasPrefix("1 line + 98 suppressed = 99 within 15m"))
        let later = try seedHost(now: "2011-11-08T09:10:04Z")
        #expect(await LogPredicate.make(within: "15m").evaluate(in: later).count == 49)
    }

    @Test func linesAfterNowDoNotCount() async throws {
        let context = try seedHost(now: "2011-11-08T08:55:00Z")
        let result = await LogPredicate.make(within: "15m").evaluate(in: context)
        #expect(result.count == 1)
    }

    @Test(arguments: [(100, PredicateResult.State.holds), (101, .doesNotHold), (1, .holds)])
    func minCountComparesLinesPlusSuppressed(_ minimum: Int, _ expected: PredicateResult.State) async throws {
        let context = try seedHost(now: "2011-11-08T09:00:00Z")
        #expect(await LogPredicate.make(within: "1h", minimumCount: minimum).evaluate(in: context).state == expected)
    }

    @Test func notBeforeNarrowsTheWindow() async throws {
        let messages = try LogFixture.text("seed_001_centos_messages_printk_suppressed.log")
        let context = LogTestHost.context(InMemoryFileSystem(["/var/log/messages": messages]), now: "2011-11-08T09:00:00Z",
                                          notBefore: LogTestHost.date("2011-11-08T08:55:05Z"))
        // Only the last notice is after notBefore: its 49 occurrences count, the lines before do not.
        let result = await LogPredicate.make(within: "1h").evaluate(in: context)
        #expect(result.count == 49)
        #expect(result.detail.hasPrefix("0 lines + 49 suppressed = 49 within 1h"))
        #expect(await LogPredicate.make().evaluate(in: context).detail.contains("since 2011-11-08T08:55:05Z"))
    }

    static let rotatedOld = """
    Nov  8 07:00:00 fw1 kernel: nf_conntrack: table full, dropping packet
    Nov  8 08:50:00 fw1 kernel: nf_conntrack: table full, dropping packet
    Nov  8 08:52:00 fw1 kernel: nf_conntrack: table full, dropping packet

    """
    static let rotatedCurrent = """
    Nov  8 08:56:00 fw1 kernel: nf_conntrack: table full, dropping packet
    Nov  8 08:57:00 fw1 kernel: nf_conntrack: table full, dropping packet

    """

    @Test func rotatedFileIsReadWhenTheWindowReachesBeforeTheCurrentFile() async throws {
        let files = ["/var/log/kern.log": Self.rotatedCurrent, "/var/log/kern.log.1": Self.rotatedOld]
        let context = LogTestHost.context(files, now: "2024-11-08T09:00:00Z")
        let result = await LogPredicate.make(within: "15m").evaluate(in: context)
        #expect(result.count == 4)
        #expect(result.matches.map(\.source) == ["/var/log/kern.log.1", "/var/log/kern.log.1", "/var/log/kern.log", "/var/log/kern.log"])
        #expect(result.matches.map(\.line) == [2, 3, 1, 2])
        #expect(result.detail.contains("in /var/log/kern.log (and /var/log/kern.log.1)"))
    }

    @Test func rotatedFileIsNotReadWhenTheCurrentFileCoversTheWindow() async throws {
        let current = "Nov  8 08:40:00 fw1 kernel: booted\n" + Self.rotatedCurrent
        let files = ["/var/log/kern.log": current, "/var/log/kern.log.1": Self.rotatedOld]
        let context = LogTestHost.context(files, now: "2024-11-08T09:00:00Z")
        let scan = await KernelLogScanner().scan(pattern: LogTestHost.pattern(), within: .seconds(900), in: context)
        #expect(scan.count == 2)
        #expect(scan.readSources.map(\.files) == [["/var/log/kern.log"]])
    }

    @Test func withoutAWindowTheRotatedFileIsAlwaysRead() async throws {
        let current = "Nov  8 08:40:00 fw1 kernel: booted\n" + Self.rotatedCurrent
        let files = ["/var/log/kern.log": current, "/var/log/kern.log.1": Self.rotatedOld]
        let context = LogTestHost.context(files, now: "2024-11-08T09:00:00Z")
        let result = await LogPredicate.make().evaluate(in: context)
        #expect(result.count == 5)
        #expect(result.matches.map(\.line) == [1, 2, 3, 2, 3])
    }

    @Test func pastedDmesgWithoutTimestampsCountsEverythingAndSaysSo() async throws {
        let dmesg = try LogFixture.text("07_centos6_2.6.32_dmesg_trailing_period.log")
        let context = LogTestHost.context(["/root/dmesg.txt": dmesg], now: "2024-11-08T09:00:00Z")
        let result = await LogPredicate.make(within: "15m", sources: [.file("/root/dmesg.txt")]).evaluate(in: context)
        #expect(result.state == .holds)
        #expect(result.count == 3)
        #expect(result.detail.hasSuffix("no timestamps: window not applied"))
    }

    @Test func softWrappedPasteCountsOnlyTimedLinesInAWindow() async throws {
        let log = try LogFixture.text("10_ubuntu_kernlog_starphleet_2018.log")
        let context = LogTestHost.context(["/var/log/kern.log": log], now: "2018-02-23T16:50:00Z")
        let windowed = await LogPredicate.make(within: "15m").evaluate(in: context)
        #expect(windowed.count == 4)
        #expect(!windowed.detail.contains("no timestamps"))
        let whole = await LogPredicate.make().evaluate(in: context)
        #expect(whole.count == 5)
    }

    @Test func hotsosDoublePrefixLineMatchesTheModernPattern() async throws {
        let line = try LogFixture.text("11_hotsos_kernlog_double_prefix.log")
        let context = LogTestHost.context(["/tmp/sos/kern.log": line], now: "2021-06-09T12:00:00Z")
        let result = await LogPredicate.make("^nf_conntrack: nf_conntrack: table full", sources: [.file("/tmp/sos/kern.log")])
            .evaluate(in: context)
        #expect(result.count == 1)
    }

    @Test func otherProgramsQuotingTheMessageDoNotCount() async {
        let log = """
        Nov  8 08:55:00 fw1 kernel: nf_conntrack: table full, dropping packet
        Nov  8 08:55:01 fw1 ctfix[4242]: detected nf_conntrack: table full, dropping packet
        Nov  8 08:55:02 fw1 logger: nf_conntrack: table full, dropping packet

        """
        let context = LogTestHost.context(["/var/log/syslog": log], now: "2024-11-08T09:00:00Z")
        #expect(await LogPredicate.make(within: "15m").evaluate(in: context).count == 1)
    }
}
