import Foundation
import Testing
@testable import CtfixCore

/// Watch acts exactly once on exactly the new lines: history before a first start is not acted
/// on (unless `--lookback` opts in), a restart in the same second as a run neither replays its
/// lines nor loses the next ones, a half-written line waits for its newline, and only a run
/// that changed something starts the cooldown.
@Suite("Watch: exactly once, exactly the new lines")
struct WatchExactlyOnceTests {
    static let tableFull = "ip_conntrack: table full, dropping packet."

    @Test("first start with a matching line from two minutes before: nothing runs, nothing triggers")
    func firstStartIgnoresHistory() async throws {
        let host = try WatchTestHost()
        try host.append(WatchTestHost.kernelLine(Self.tableFull, at: Date().addingTimeInterval(-120)))
        #expect(try await host.watchOnce() == .ok)
        #expect(try host.count("run_start") == 0)
        #expect(try host.count("watch_trigger") == 0)
        #expect(try host.count("watch_decision") == 0)
        let start = try #require(try host.records().first { $0.event == "watch_start" })
        #expect(start.fields["first_start"] == .bool(true))
        #expect(try host.sysctl("net/ipv4/netfilter/ip_conntrack_max") == "16640")
        #expect(host.output.standardError.contains("first start"))
        // The position is the end of the file as it was: the old line stays history.
        let size = try #require(try FileManager.default.attributesOfItem(atPath: host.messages)[.size] as? Int)
        #expect(try host.state().files["/var/log/messages"]?.offset == Int64(size))
        #expect(try await host.watchOnce() == .ok)
        #expect(try host.count("run_start") == 0)
    }

    @Test("--lookback opts in: a line inside it is acted on at first start, one outside it is not")
    func lookbackOptsIn() async throws {
        let outside = try WatchTestHost()
        try outside.append(WatchTestHost.kernelLine(Self.tableFull, at: Date().addingTimeInterval(-120)))
        #expect(try await outside.watchOnce(lookback: .seconds(60)) == .ok)
        #expect(try outside.count("run_start") == 0)

        let inside = try WatchTestHost()
        try inside.append(WatchTestHost.kernelLine(Self.tableFull, at: Date().addingTimeInterval(-120)))
        #expect(try await inside.watchOnce(lookback: .seconds(600)) == .ok)
        #expect(try inside.count("run_start") == 1)
        #expect(try inside.sysctl("net/ipv4/netfilter/ip_conntrack_max") == "65536")
        // Not a second time: the lookback applies to a first start only.
        #expect(try await inside.watchOnce(lookback: .seconds(600)) == .ok)
        #expect(try inside.count("run_start") == 1)
    }

    @Test("restart in the same second as the run (no cooldown at all): no replay, and the next line is not lost")
    func restartSameSecond() async throws {
        let host = try WatchTestHost(withoutCooldown: true)
        #expect(try await host.watchOnce() == .ok)
        let instant = Date()
        try host.append(WatchTestHost.kernelLine(Self.tableFull, at: instant))
        #expect(try await host.watchOnce() == .ok)
        #expect(try host.count("run_start") == 1)
        #expect(try host.sysctl("net/ipv4/netfilter/ip_conntrack_max") == "65536")

        // Restart with nothing new: the line of the same second is not evidence again.
        #expect(try await host.watchOnce() == .ok)
        #expect(try host.count("run_start") == 1)
        #expect(try host.sysctl("net/ipv4/netfilter/ip_conntrack_max") == "65536")

        // A line stamped with the very same instant, appended after the run: new, acted on once,
        // and counted alone (the first line is not counted again).
        try host.append(WatchTestHost.kernelLine(Self.tableFull, at: instant))
        #expect(try await host.watchOnce() == .ok)
        #expect(try host.count("run_start") == 2)
        let decisions = try host.records().filter { $0.event == "watch_decision" && $0.fields["decision"] == "run" }
        #expect(decisions.count == 2)
        guard case .string(let detail)? = decisions.last?.fields["detail"] else { Issue.record("no detail"); return }
        #expect(detail.hasPrefix("1 matching line"))
        #expect(try AuditLog(fileSystem: RootedFileSystem(root: host.root)).verify().ok)
    }

    @Test("a half-written line is not consumed until its newline arrives")
    func partialLine() async throws {
        let host = try WatchTestHost(withoutCooldown: true)
        #expect(try await host.watchOnce() == .ok)
        let before = try #require(try host.state().files["/var/log/messages"])
        try host.appendRaw(WatchTestHost.kernelLine("ip_conntrack: table fu"))
        #expect(try await host.watchOnce() == .ok)
        #expect(try host.count("watch_trigger") == 0)
        #expect(try host.state().files["/var/log/messages"] == before)
        try host.appendRaw("ll, dropping packet.\n")
        #expect(try await host.watchOnce() == .ok)
        #expect(try host.count("watch_trigger") == 1)
        #expect(try host.count("run_start") == 1)
        let trigger = try #require(try host.records().first { $0.event == "watch_trigger" })
        guard case .string(let line)? = trigger.fields["line"] else { Issue.record("no line"); return }
        #expect(line.hasSuffix("ip_conntrack: table full, dropping packet."))
    }

    @Test("a held host lock: no run, no cooldown, the skip is printed and audited; the line is acted on once the lock is free")
    func busyLock() async throws {
        let host = try WatchTestHost()
        #expect(try await host.watchOnce() == .ok)
        try FileManager.default.createDirectory(atPath: host.root + "/run", withIntermediateDirectories: true)
        let fd = open(host.root + HostRunLock.lockPath, O_RDWR | O_CREAT, 0o644)
        #expect(fd >= 0)
        #expect(flock(fd, LOCK_EX) == 0)
        try host.append(WatchTestHost.kernelLine(Self.tableFull))
        #expect(try await host.watchOnce() == .ok)
        close(fd)
        #expect(try host.count("run_start") == 0)
        #expect(try host.state().lastTriggered.isEmpty)
        let skips = try host.records().filter { $0.event == "watch_decision" && $0.fields["decision"] == "skip" }
        #expect(skips.first?.fields["skip"] == "busy")
        #expect(skips.count == 1, "the interval evaluation's repeat is counted, not recorded again")
        #expect(host.output.standardOutput.contains("skipped: the host lock is held"))
        #expect(try host.sysctl("net/ipv4/netfilter/ip_conntrack_max") == "16640")

        // The lock is free: the same line (not a new one) is acted on, once.
        #expect(try await host.watchOnce() == .ok)
        #expect(try host.count("run_start") == 1)
        #expect(try host.sysctl("net/ipv4/netfilter/ip_conntrack_max") == "65536")
        #expect(try host.state().lastTriggered["table-full"] != nil)
        #expect(try await host.watchOnce() == .ok)
        #expect(try host.count("run_start") == 1)
    }

    @Test("a refused run starts no cooldown: the next new line runs again, and the same line never does")
    func refusedRun() async throws {
        let host = try WatchTestHost()
        #expect(try await host.watchOnce() == .ok)
        // The executor's own cooldown refuses the run.
        var policy = PolicyState()
        policy.lastRuns["table-full"] = Date()
        try policy.save(RootedFileSystem(root: host.root))
        try host.append(WatchTestHost.kernelLine(Self.tableFull))
        #expect(try await host.watchOnce() == .ok)
        let run = try #require(try host.records().last { $0.event == "watch_run" })
        #expect(run.fields["outcome"] == "refused")
        #expect(run.fields["cooldown_started"] == .bool(false))
        #expect(try host.state().lastTriggered.isEmpty)
        #expect(host.output.standardOutput.contains("no cooldown started"))
        #expect(try await host.watchOnce() == .ok)
        #expect(try host.count("run_start") == 1)

        try host.append(WatchTestHost.kernelLine(Self.tableFull))
        #expect(try await host.watchOnce() == .ok)
        #expect(try host.count("run_start") == 2, "a refusal did not start watch's cooldown")
        #expect(try host.sysctl("net/ipv4/netfilter/ip_conntrack_max") == "16640")
    }

    @Test("a log swapped for a symlink leading outside the root is not read, while following or at a restart")
    func symlinkOutsideRoot() async throws {
        let host = try WatchTestHost()
        #expect(try await host.watchOnce() == .ok)
        let follower = LogFileFollower(hostPath: "/var/log/messages", fileSystem: try RootedFileSystem(root: host.root),
                                       resume: try host.state().files["/var/log/messages"])
        #expect(follower.readNewLines().isEmpty)
        let outside = host.root + "-outside.log"
        defer { try? FileManager.default.removeItem(atPath: outside) }
        try (WatchTestHost.kernelLine(Self.tableFull) + "\n").write(toFile: outside, atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(atPath: host.messages)
        try FileManager.default.createSymbolicLink(atPath: host.messages, withDestinationPath: outside)
        // Refused, or (a kernel-resolved root) resolved inside the root where nothing is: either
        // way nothing outside is read.
        #expect(follower.readNewLines().isEmpty)
        try FileManager.default.removeItem(atPath: host.messages)
        try FileManager.default.createSymbolicLink(atPath: host.messages, withDestinationPath: "../../../" + (outside as NSString).lastPathComponent)
        #expect(follower.readNewLines().isEmpty)

        // A restart refuses the source (naming it) or waits for it to appear; it acts on nothing.
        let status = try await host.watchOnce()
        #expect(status == .noInput || status == .ok)
        if status == .noInput { #expect(host.output.standardError.contains("/var/log/messages")) }
        #expect(try host.count("watch_trigger") == 0)
        #expect(try host.count("run_start") == 0)
        #expect(try host.sysctl("net/ipv4/netfilter/ip_conntrack_max") == "16640")
    }

    @Test("skips are said once per playbook and reason a minute, the rest counted")
    func skipRateLimit() {
        var reporter = WatchSkipReporter()
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        #expect(reporter.admit(playbook: "p", skip: .cooldown, now: start) == 0)
        #expect(reporter.admit(playbook: "p", skip: .cooldown, now: start.addingTimeInterval(30)) == nil)
        #expect(reporter.admit(playbook: "p", skip: .busy, now: start.addingTimeInterval(30)) == 0)
        #expect(reporter.admit(playbook: "q", skip: .cooldown, now: start.addingTimeInterval(30)) == 0)
        #expect(reporter.admit(playbook: "p", skip: .cooldown, now: start.addingTimeInterval(59)) == nil)
        #expect(reporter.admit(playbook: "p", skip: .cooldown, now: start.addingTimeInterval(61)) == 2)
    }

    @Test("cooldown times and positions keep sub-second precision in the state file")
    func statePrecision() throws {
        let fs = InMemoryFileSystem()
        var state = WatchState()
        let instant = Date(timeIntervalSince1970: 1_700_000_000.123456)
        state.lastTriggered["table-full"] = instant
        state.evidence.append("line", source: "/var/log/messages", index: 3, time: instant)
        state.evidence.actedThrough["table-full"] = 1
        try state.save(fs)
        let loaded = try WatchState.load(fs)
        let saved = try #require(loaded.lastTriggered["table-full"])
        #expect(abs(saved.timeIntervalSince(instant)) < 0.000_002)
        #expect(loaded.evidence.actedThrough == ["table-full": 1])
        #expect(loaded.evidence.unconsumed(by: "table-full").isEmpty)
        // A state file from before (whole seconds) is still read.
        fs.set(WatchState.path, #"{"files":{},"last_triggered":{"table-full":"2026-11-22T20:30:00Z"}}"#)
        #expect(try WatchState.load(fs).lastTriggered["table-full"] == Date(timeIntervalSince1970: 1_795_379_400))
    }
}

/// A detection that keeps firing without a new line (a value predicate) after a run that
/// changed nothing is not re-run every interval: it waits the playbook's cooldown, said as a
/// `held_off` skip.
@Suite("Watch: runs that changed nothing")
struct WatchUnchangedRunTests {
    @Test("a value detection that keeps firing: one dry run, then held off (across a restart), not one per pass")
    func heldOff() async throws {
        let host = try WatchTestHost()
        let text = try String(contentsOfFile: host.playbookPath, encoding: .utf8)
        let detect = try #require(text.range(of: "\ndetect:\n"))
        let actions = try #require(text.range(of: "\nactions:\n"))
        let always = "\ndetect:\n  value:\n    sysctl: [net.ipv4.netfilter.ip_conntrack_max]\n    above: 0\n"
        try (text[..<detect.lowerBound] + always + text[actions.lowerBound...]).write(toFile: host.playbookPath, atomically: true, encoding: .utf8)
        #expect(try await host.watchOnce(dryRun: true) == .ok)
        #expect(try host.count("run_start") == 1)
        #expect(try host.state().lastTriggered.isEmpty, "a dry run starts no cooldown")
        #expect(try await host.watchOnce(dryRun: true) == .ok)
        #expect(try await host.watchOnce(dryRun: true) == .ok)
        #expect(try host.count("run_start") == 1)
        let skip = try #require(try host.records().last { $0.event == "watch_decision" && $0.fields["decision"] == "skip" })
        #expect(skip.fields["skip"] == "held_off")
        #expect(host.output.standardOutput.contains("skipped: the last run"))
    }
}
