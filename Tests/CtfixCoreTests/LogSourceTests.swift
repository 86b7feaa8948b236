import Foundation
import Testing
@testable import CtfixCore

/// Which source a check reads: the default chain, explicit sources, `--log`, kmsg, journald.
@Suite struct LogSourceTests {
    static let line = "Nov  8 08:55:00 fw1 kernel: nf_conntrack: table full, dropping packet\n"
    static let now = "2024-11-08T09:00:00Z"

    @Test func defaultReadsExactlyOneSourceInOrder() async {
        let everywhere = ["/var/log/kern.log": Self.line, "/var/log/messages": Self.line, "/var/log/syslog": Self.line]
        let result = await LogPredicate.make(within: "15m").evaluate(in: LogTestHost.context(everywhere, now: Self.now))
        #expect(result.count == 1)
        #expect(result.detail == "1 matching line within 15m in /var/log/kern.log (min_count 1)")

        let noKernLog = ["/var/log/messages": Self.line, "/var/log/syslog": Self.line]
        let second = await KernelLogScanner().scan(pattern: LogTestHost.pattern(), within: .seconds(900),
                                                   in: LogTestHost.context(noKernLog, now: Self.now))
        #expect(second.readSources.map(\.name) == ["/var/log/messages"])
        #expect(second.sources.map(\.name) == ["journald", "/dev/kmsg", "/var/log/kern.log", "/var/log/messages"])

        let onlySyslog = await KernelLogScanner().scan(pattern: LogTestHost.pattern(), within: nil,
                                                       in: LogTestHost.context(["/var/log/syslog": Self.line], now: Self.now))
        #expect(onlySyslog.readSources.map(\.name) == ["/var/log/syslog"])
        #expect(onlySyslog.count == 1)
    }

    static let btime = "cpu  1 2 3 4\nbtime 1731024000\nprocesses 42\n" // 2024-11-08T00:00:00Z

    @Test func kmsgComesBeforeLogFilesAndUsesTheBootTime() async {
        let kmsg = """
        6,0,0,-;Linux version 6.1.0-26-amd64
         SUBSYSTEM=cpu
        4,812,32100000000,-;nf_conntrack: nf_conntrack: table full, dropping packet
        4,813,32200000000,-;nf_conntrack: 12 callbacks suppressed
        4,814,32200000001,-;nf_conntrack: nf_conntrack: table full, dropping packet
        30,815,32250000000,-;systemd[1]: ctfix: nf_conntrack: nf_conntrack: table full

        """
        let files = ["/dev/kmsg": kmsg, "/proc/stat": Self.btime, "/var/log/kern.log": Self.line]
        // boot + 32100 s = 08:55:00, boot + 32200 s = 08:56:40; now = 09:00:00
        let result = await LogPredicate.make(within: "4m").evaluate(in: LogTestHost.context(files, now: Self.now))
        #expect(result.detail == "1 line + 12 suppressed = 13 within 4m in /dev/kmsg (min_count 1)")
        let firstTime = result.matches.first?.time ?? .distantPast
        #expect(abs(firstTime.timeIntervalSince(LogTestHost.date("2024-11-08T08:56:40Z")) - 0.000001) < 1e-4)
        let wider = await LogPredicate.make(within: "15m").evaluate(in: LogTestHost.context(files, now: Self.now))
        #expect(wider.count == 14)
    }

    @Test func uptimeStandsInForAMissingBtime() async {
        let dmesg = "[  100.000000] nf_conntrack: table full, dropping packet\n[32100.000000] nf_conntrack: table full, dropping packet\n"
        let files = ["/root/dmesg.txt": dmesg, "/proc/uptime": "32400.00 64000.00\n"]
        // booted 32400 s before now: the first line is 8.9 hours old, the second 5 minutes old.
        let result = await LogPredicate.make(within: "10m", sources: [.file("/root/dmesg.txt")])
            .evaluate(in: LogTestHost.context(files, now: Self.now))
        #expect(result.count == 1)
        #expect(result.matches.first?.time == LogTestHost.date("2024-11-08T08:55:00Z"))
    }

    @Test func rawDmesgConvertsWithBtime() async {
        let dmesg = "[32100.000000] nf_conntrack: table full, dropping packet\n"
        let files = ["/root/dmesg.txt": dmesg, "/proc/stat": Self.btime]
        let inWindow = await LogPredicate.make(within: "10m", sources: [.file("/root/dmesg.txt")])
            .evaluate(in: LogTestHost.context(files, now: Self.now))
        #expect(inWindow.state == .holds)
        let outOfWindow = await LogPredicate.make(within: "4m", sources: [.file("/root/dmesg.txt")])
            .evaluate(in: LogTestHost.context(files, now: Self.now))
        #expect(outOfWindow.state == .doesNotHold)
    }

    @Test func logFilesReplaceAllSources() async throws {
        let directory = try LogTestHost.TemporaryDirectory()
        try directory.write("pasted.log", "Nov  8 08:58:00 other kernel: nf_conntrack: table full, dropping packet\n" + Self.line)
        // The host itself has a different story, which must not be read.
        let host = ["/var/log/kern.log": Self.line + Self.line + Self.line]
        let context = LogTestHost.context(host, now: Self.now, logFiles: [directory.path + "/pasted.log"])
        let result = await LogPredicate.make(within: "15m", sources: [.file("/var/log/kern.log")]).evaluate(in: context)
        #expect(result.count == 2)
        #expect(result.matches.map(\.source) == Array(repeating: directory.path + "/pasted.log", count: 2))

        let missing = LogTestHost.context(host, now: Self.now, logFiles: [directory.path + "/nope.log"])
        let unknown = await LogPredicate.make(within: "15m").evaluate(in: missing)
        #expect(unknown.state == .unknown)
        #expect(unknown.detail == "no kernel log source available: tried \(directory.path)/nope.log (no such file)")
    }

    @Test func unknownWhenNothingCanBeRead() async {
        let fileSystem = InMemoryFileSystem(["/var/log/kern.log": Self.line])
        fileSystem.denyAccess("/var/log/kern.log")
        let result = await LogPredicate.make(within: "15m").evaluate(in: LogTestHost.context(fileSystem, now: Self.now))
        #expect(result.state == .unknown)
        #expect(result.count == nil)
        #expect(result.detail == "no kernel log source available: tried journald (journalctl not available), /dev/kmsg (no such file), /var/log/kern.log (permission denied), /var/log/messages (no such file), /var/log/syslog (no such file)")
    }

    @Test func explicitSourcesAreAllReadAndFailuresNamed() async {
        let files = ["/var/log/messages": Self.line, "/var/log/kern.log": Self.line]
        let result = await LogPredicate.make(within: "15m", sources: [.file("/var/log/messages"), .file("/var/log/firewall.log")])
            .evaluate(in: LogTestHost.context(files, now: Self.now))
        #expect(result.count == 1)
        #expect(result.detail.hasSuffix("; not read: /var/log/firewall.log (no such file)"))
    }

    static func journalJSON(_ seconds: Double, _ message: String, transport: String = "kernel") -> String {
        #"{"__REALTIME_TIMESTAMP":"\#(Int(seconds * 1_000_000))","_TRANSPORT":"\#(transport)","SYSLOG_FACILITY":"\#(transport == "kernel" ? 0 : 1)","MESSAGE":"\#(message)"}"#
    }

    @Test func journaldIsAskedThroughTheCommandRunner() async throws {
        let now = LogTestHost.date(Self.now).timeIntervalSince1970
        let output = [
            Self.journalJSON(now - 1200, "nf_conntrack: nf_conntrack: table full, dropping packet"),
            Self.journalJSON(now - 300, "net_ratelimit: 40 callbacks suppressed"),
            Self.journalJSON(now - 299, "nf_conntrack: nf_conntrack: table full, dropping packet"),
            Self.journalJSON(now - 200, "ctfix: nf_conntrack: nf_conntrack: table full", transport: "syslog"),
        ].joined(separator: "\n") + "\n"
        let runner = ScriptedCommandRunner(available: ["journalctl"]) { argv in
            argv.contains("--since") ? CommandResult(exitStatus: 0, standardOutput: output) : nil
        }
        let context = LogTestHost.context(["/var/log/kern.log": Self.line], now: Self.now, commands: runner, isLiveHost: true)
        let result = await LogPredicate.make(within: "15m").evaluate(in: context)
        #expect(result.detail == "1 line + 40 suppressed = 41 within 15m in journald (min_count 1)")
        #expect(result.matches.first?.source == "journald")
        let since = Int(now) - 900 - 60
        #expect(runner.invocations == [["journalctl", "-k", "-o", "json", "--no-pager",
                                        "--since", "@\(since)", "--until", "@\(Int(now) + 2)"]])
    }

    @Test func journaldUnderASnapshotRootUsesItsDirectory() async throws {
        let directory = try LogTestHost.TemporaryDirectory()
        try directory.write("var/log/journal/0123/system.journal", "")
        let runner = ScriptedCommandRunner(available: ["journalctl"]) { argv in
            argv.contains("-n") ? CommandResult(exitStatus: 0, standardOutput: Self.journalJSON(1, "Linux version 6.1")) :
                CommandResult(exitStatus: 0, standardOutput: "")
        }
        let context = LogTestHost.context(try RootedFileSystem(root: directory.path), now: Self.now, commands: runner)
        let result = await LogPredicate.make(within: "15m").evaluate(in: context)
        #expect(result.state == .doesNotHold)
        #expect(result.detail.hasSuffix("in journald (min_count 1)"))
        let real = try #require(RootedFileSystem(root: directory.path).realPath(of: "/var/log/journal"))
        #expect(runner.invocations.first?.prefix(3) == ["journalctl", "--directory", real])
    }

    @Test func journaldWithoutKernelEntriesFallsBack() async {
        let runner = ScriptedCommandRunner(available: ["journalctl"]) { _ in CommandResult(exitStatus: 0, standardOutput: "") }
        let context = LogTestHost.context(["/var/log/syslog": Self.line], now: Self.now, commands: runner, isLiveHost: true)
        let scan = await KernelLogScanner().scan(pattern: LogTestHost.pattern(), within: .seconds(900), in: context)
        #expect(scan.sources.first?.problem == "no kernel entries")
        #expect(scan.readSources.map(\.name) == ["/var/log/syslog"])
        #expect(runner.invocations.count == 2)
    }

    @Test func journaldFailureOrTimeoutFallsBack() async {
        let failing = ScriptedCommandRunner(available: ["journalctl"]) { _ in
            CommandResult(exitStatus: 1, standardError: "Failed to open journal: Permission denied\n")
        }
        let context = LogTestHost.context(["/var/log/syslog": Self.line], now: Self.now, commands: failing, isLiveHost: true)
        let scan = await KernelLogScanner().scan(pattern: LogTestHost.pattern(), within: .seconds(900), in: context)
        #expect(scan.sources.first?.problem == "journalctl failed with status 1: Failed to open journal: Permission denied")
        #expect(scan.count == 1)

        let slow = ScriptedCommandRunner(available: ["journalctl"]) { _ in CommandResult(exitStatus: 124, timedOut: true) }
        let timedOut = await KernelLogScanner().scan(pattern: LogTestHost.pattern(), within: .seconds(900),
                                                     in: LogTestHost.context([:], now: Self.now, commands: slow, isLiveHost: true))
        #expect(timedOut.sources.first?.problem == "journalctl timed out after 10s")
        #expect(!timedOut.isAvailable)
    }

    @Test func sourceWordsAndPaths() {
        #expect(KernelLogSource.parse("default") == .success(.automatic))
        #expect(KernelLogSource.parse("/dev/kmsg") == .success(.kmsg))
        #expect(KernelLogSource.parse("/var//log/./messages") == .success(.file("/var/log/messages")))
        #expect(throws: KernelLogSource.ParseError.self) { try KernelLogSource.parse("journal").get() }
        #expect(throws: KernelLogSource.ParseError.self) { try KernelLogSource.parse("log/messages").get() }
        #expect(throws: KernelLogSource.ParseError.self) { try KernelLogSource.parse("/var/log/../etc/shadow").get() }
    }
}
