import CtfixCore
import Foundation

/// `ctfix-bench watch`: the latency from a kernel-log line appended to a followed file to the
/// audited action intent (SPEC: < 50 ms at p99). A release `ctfix watch` follows a copy of the
/// ubuntu-table-full host's kern.log with a log-only table-full playbook (cooldown 0s, no
/// verification delay); each sample resets the sysctls, appends one table-full line, and
/// waits until the run's first `intent` record is in the audit log (read incrementally whenever inotify reports a change to its directory).
/// The time to the `watch_decision` record is shown too.
enum WatchBenchmark {
    static func run(_ arguments: [String]) throws {
        var runs = 200
        if let index = arguments.firstIndex(of: "--runs"), index + 1 < arguments.count, let n = Int(arguments[index + 1]) { runs = n }
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("ctfix").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw BenchmarkError("\(binary) not found: build it with `swift build -c release` first")
        }
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let root = NSTemporaryDirectory() + "ctfix-bench-watch-\(getpid())"
        try FileManager.default.copyItem(atPath: repo + "/examples/hosts/ubuntu-table-full", toPath: root)
        defer { try? FileManager.default.removeItem(atPath: root) }
        try? FileManager.default.removeItem(atPath: root + "/ctfix-snapshot.json")
        // Beside the repo's build, not in /tmp: as root, ctfix refuses a playbook in a mode-1777 directory.
        let playbook = repo + "/.build/ctfix-bench-watch-\(getpid()).yaml"
        try logOnlyPlaybook(repo + "/playbooks/table-full.yaml").write(toFile: playbook, atomically: false, encoding: .utf8)
        chmod(playbook, 0o644)
        defer { try? FileManager.default.removeItem(atPath: playbook) }
        let log = root + "/var/log/kern.log"
        let sysctls = ["/proc/sys/net/netfilter/nf_conntrack_max", "/proc/sys/net/netfilter/nf_conntrack_tcp_timeout_established",
                       "/sys/module/nf_conntrack/parameters/hashsize"]
        let originals = try sysctls.map { try Data(contentsOf: URL(fileURLWithPath: root + $0)) }
        let audit = root + "/var/log/ctfix/audit.jsonl"

        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["watch", playbook, "--root", root, "--log", "/var/log/kern.log", "--interval", "1h"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        guard waitUntil(seconds: 30, { FileManager.default.fileExists(atPath: root + "/var/lib/ctfix/watch-state.json") }) else {
            throw BenchmarkError("ctfix watch did not start")
        }
        print("ctfix watch: appended kernel-log line → audited record (release build, \(runs) samples after 5 warm-up)")
        var toDecision: [Double] = []
        var toIntent: [Double] = []
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let tail = AuditTail(path: audit)
        _ = tail.newEvents()
        // Woken by inotify when the audit log's directory changes: no busy polling that would
        // take a core from the watcher on a 2-core machine.
        guard let auditChanges = FileChangeNotifier(directory: root + "/var/log/ctfix") else {
            throw BenchmarkError("inotify unavailable")
        }
        for sample in 0..<(runs + 5) {
            for (path, data) in zip(sysctls, originals) { try data.write(to: URL(fileURLWithPath: root + path)) }
            let line = "\(formatter.string(from: Date())) ubuntu kernel: nf_conntrack: nf_conntrack: table full, dropping packet\n"
            let start = ContinuousClock.now
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(line.utf8))
            try handle.close()
            var decision: Duration?
            var intent: Duration?
            guard waitUntil(seconds: 10, notifier: auditChanges, {
                for event in tail.newEvents() {
                    if event == "watch_decision", decision == nil { decision = ContinuousClock.now - start }
                    if event == "intent", intent == nil { intent = ContinuousClock.now - start }
                    if event == "watch_run" { return true }
                }
                return false
            }), let decision, let intent else { throw BenchmarkError("no complete run within 10 s for sample \(sample)") }
            if sample >= 5 {
                toDecision.append(decision.seconds * 1000)
                toIntent.append(intent.seconds * 1000)
            }
        }
        print("record            median    p90       p99       max")
        for (name, samples) in [("watch_decision", toDecision), ("action intent", toIntent)] {
            let sorted = samples.sorted()
            func pick(_ q: Double) -> String { String(format: "%6.2f ms", sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * q))]) }
            print("\(name.padding(toLength: 18, withPad: " ", startingAt: 0))\(pick(0.5))  \(pick(0.9))  \(pick(0.99))  \(pick(1))")
        }
    }

    static func logOnlyPlaybook(_ path: String) throws -> String {
        let shipped = try String(contentsOfFile: path, encoding: .utf8)
        guard let detect = shipped.range(of: "\ndetect:\n"), let actions = shipped.range(of: "\nactions:\n") else {
            throw BenchmarkError("\(path): no detect/actions sections")
        }
        let detection = "\ndetect:\n  log:\n    pattern: 'nf_conntrack: (nf_conntrack: )?table full'\n    within: 15m\n    sources: [/var/log/kern.log]\n"
        return (shipped[..<detect.lowerBound] + detection + shipped[actions.lowerBound...])
            .replacingOccurrences(of: "delay: 10s", with: "delay: 0s")
            .replacingOccurrences(of: "cooldown: 30m", with: "cooldown: 0s")
    }

    static func waitUntil(seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(1000)
        }
        return condition()
    }

    /// Waits for inotify events on the notifier, checking the condition after each.
    static func waitUntil(seconds: Double, notifier: FileChangeNotifier, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            var descriptor = pollfd(fd: notifier.descriptor, events: Int16(POLLIN), revents: 0)
            _ = poll(&descriptor, 1, 100)
            notifier.drain()
        }
        return condition()
    }
}

/// Reads the records appended to an audit log since the last call, and their event names.
final class AuditTail {
    let path: String
    private var offset: UInt64 = 0
    private var pending = Data()

    init(path: String) { self.path = path }

    func newEvents() -> [String] {
        guard let handle = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? handle.close() }
        guard (try? handle.seek(toOffset: offset)) != nil, let data = try? handle.readToEnd(), !data.isEmpty else { return [] }
        offset += UInt64(data.count)
        pending.append(data)
        var events: [String] = []
        while let newline = pending.firstIndex(of: 0x0A) {
            let line = pending[pending.startIndex..<newline]
            pending = Data(pending[(newline + 1)...])
            if let object = try? JSONSerialization.jsonObject(with: line) as? [String: Any], let event = object["event"] as? String {
                events.append(event)
            }
        }
        return events
    }
}
