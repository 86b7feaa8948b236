import CtfixCore
import Foundation
import Testing

/// `ctfix watch` as a process: follows a copy of the seed host's /var/log/messages with
/// inotify, triggers the playbook once when a table-full line is appended, stops on SIGTERM
/// after saving its position, and a restart does not replay the line.
@Suite("Watch: the command line", .serialized)
struct WatchCommandLineTests {
    /// A copy of the seed host and a log-only variant of table-full.
    final class Host {
        let root: String
        let playbook: String
        init(withoutCooldown: Bool = false) throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("ctfix-watch-\(UUID().uuidString)").path
            try FileManager.default.copyItem(atPath: PackagePaths.root.path + "/examples/hosts/centos5-ip-conntrack", toPath: root)
            let shipped = try String(contentsOfFile: PackagePaths.root.path + "/playbooks/table-full.yaml", encoding: .utf8)
            let detect = try #require(shipped.range(of: "\ndetect:\n"))
            let actions = try #require(shipped.range(of: "\nactions:\n"))
            let text = shipped[..<detect.lowerBound]
                + "\ndetect:\n  log:\n    pattern: 'ip_conntrack: table full'\n    within: 15m\n    sources: [/var/log/messages]\n"
                + shipped[actions.lowerBound...]
            playbook = try TrustedScratch.directory("watch-cli") + "/test.yaml" // not in /tmp: refused as root
            var final = text.replacingOccurrences(of: "delay: 10s", with: "delay: 0s")
            if withoutCooldown { final = final.replacingOccurrences(of: "cooldown: 30m\n", with: "") }
            try TrustedScratch.write(final, to: playbook)
        }
        deinit {
            try? FileManager.default.removeItem(atPath: root)
            try? FileManager.default.removeItem(atPath: (playbook as NSString).deletingLastPathComponent)
        }

        var auditText: String { (try? String(contentsOfFile: root + "/var/log/ctfix/audit.jsonl", encoding: .utf8)) ?? "" }
        func events(_ name: String) -> Int { auditText.components(separatedBy: "\"event\":\"\(name)\"").count - 1 }

        func appendKernelLine(_ message: String, at time: Date = Date()) throws {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: root + "/var/log/messages"))
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: Data("\(formatter.string(from: time)) server kernel: \(message)\n".utf8))
        }

        func arguments(_ extra: [String]) -> [String] {
            ["watch", playbook, "--root", root, "--log", "/var/log/messages"] + extra
        }
    }

    /// Polls a condition until it holds or the deadline passes (waiting, never asserting time).
    static func eventually(within seconds: Double, _ condition: () -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return condition()
    }

    @Test("a line appended while watching triggers one run; SIGTERM stops it; a restart does not replay")
    func followsAndStops() async throws {
        let host = try Host()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try CtfixBinary.path())
        process.arguments = host.arguments(["--interval", "1h"])
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

        let statePath = host.root + WatchState.path
        #expect(await Self.eventually(within: 60) { FileManager.default.fileExists(atPath: statePath) })
        try host.appendKernelLine("ip_conntrack: table full, dropping packet.")
        #expect(await Self.eventually(within: 60) { host.events("watch_run") == 1 })
        #expect(host.auditText.contains("\"trigger\":\"watch:/var/log/messages\""))
        #expect(host.events("intent") == 2)
        let max = try String(contentsOfFile: host.root + "/proc/sys/net/ipv4/netfilter/ip_conntrack_max", encoding: .utf8)
        #expect(max.trimmingCharacters(in: .whitespacesAndNewlines) == "65536")

        kill(process.processIdentifier, SIGTERM)
        #expect(await Self.eventually(within: 20) { !process.isRunning })
        guard !process.isRunning else { return }
        #expect(process.terminationStatus == 0)
        #expect(host.events("watch_stop") == 1)

        let again = try await CtfixBinary.run(host.arguments(["--once"]), timeout: .seconds(60))
        #expect(again.exitStatus == 0, "\(again.standardError)")
        #expect(host.events("run_start") == 1)
        #expect(host.events("watch_trigger") == 1)
        let verify = try await CtfixBinary.run(["audit", "verify", "--root", host.root], timeout: .seconds(60))
        #expect(verify.exitStatus == 0, "\(verify.standardOutput)")
    }

    @Test("lines written while the watcher was down are handled at the next start")
    func catchesUpAfterDowntime() async throws {
        let host = try Host()
        let first = try await CtfixBinary.run(host.arguments(["--once"]), timeout: .seconds(60))
        #expect(first.exitStatus == 0, "\(first.standardError)")
        #expect(host.events("run_start") == 0)
        try host.appendKernelLine("ip_conntrack: table full, dropping packet.")
        let second = try await CtfixBinary.run(host.arguments(["--once"]), timeout: .seconds(60))
        #expect(second.exitStatus == 0, "\(second.standardError)")
        #expect(host.events("run_start") == 1)
        #expect(second.standardOutput.contains("unverified")) // a snapshot copy's counters cannot be measured again after the actions
    }

    @Test("killed right after a run (no cooldown at all), restarted in the same second: no replay, the next line is not lost")
    func killedAndRestartedSameSecond() async throws {
        let host = try Host(withoutCooldown: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try CtfixBinary.path())
        process.arguments = host.arguments(["--interval", "1h"])
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        #expect(await Self.eventually(within: 60) { FileManager.default.fileExists(atPath: host.root + WatchState.path) })
        let instant = Date()
        try host.appendKernelLine("ip_conntrack: table full, dropping packet.", at: instant)
        #expect(await Self.eventually(within: 60) { host.events("watch_run") == 1 })
        kill(process.processIdentifier, SIGKILL)
        #expect(await Self.eventually(within: 20) { !process.isRunning })
        let max = host.root + "/proc/sys/net/ipv4/netfilter/ip_conntrack_max"
        #expect(try String(contentsOfFile: max, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) == "65536")

        let again = try await CtfixBinary.run(host.arguments(["--once"]), timeout: .seconds(60))
        #expect(again.exitStatus == 0, "\(again.standardError)")
        #expect(host.events("run_start") == 1, "the line the killed watcher acted on is not acted on again")
        #expect(try String(contentsOfFile: max, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) == "65536")

        try host.appendKernelLine("ip_conntrack: table full, dropping packet.", at: instant)
        let third = try await CtfixBinary.run(host.arguments(["--once"]), timeout: .seconds(60))
        #expect(third.exitStatus == 0, "\(third.standardError)")
        #expect(host.events("run_start") == 2, "a line of the same second appended after the run is new")
    }

    @Test("--lookback: an unreadable or zero duration is 64 and nothing is written")
    func badLookback() async throws {
        let host = try Host()
        for value in ["soon", "0s", "40d"] {
            let result = try await CtfixBinary.run(host.arguments(["--once", "--lookback", value]), timeout: .seconds(60))
            #expect(result.exitStatus == 64, "\(value)")
            #expect(result.standardError.contains("--lookback"))
        }
        #expect(host.auditText.isEmpty)
    }

    @Test("bad command lines: an unreadable interval is 64, a missing playbook is 66")
    func badInput() async throws {
        let host = try Host()
        let interval = try await CtfixBinary.run(host.arguments(["--once", "--interval", "soon"]), timeout: .seconds(60))
        #expect(interval.exitStatus == 64)
        #expect(interval.standardError.contains("--interval"))
        let missing = try await CtfixBinary.run(["watch", host.root + "/missing.yaml", "--root", host.root, "--once"], timeout: .seconds(60))
        #expect(missing.exitStatus == 66)
        #expect(host.auditText.isEmpty)
    }
}
