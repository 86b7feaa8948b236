import Foundation

/// `ctfix-bench dry-run`: the whole `ctfix run PLAYBOOK --dry-run` process, as an on-call
/// engineer or a CI review job runs it, timed from spawn to exit: startup, YAML, detection
/// (log tail, procfs), planning, the audit records (fsynced) and the printed plan; its peak RSS;
/// the peak RSS of an idle `ctfix watch`; and, side by side in the same run, `ansible-playbook
/// --check --diff` of the same work (Benchmarks/ansible/table-full.yml) when it is installed.
enum DryRunBenchmark {
    static func run(_ arguments: [String]) throws {
        var runs = 50, ansibleRuns = 5
        if let index = arguments.firstIndex(of: "--runs"), index + 1 < arguments.count, let n = Int(arguments[index + 1]) { runs = n }
        if let index = arguments.firstIndex(of: "--ansible-runs"), index + 1 < arguments.count, let n = Int(arguments[index + 1]) { ansibleRuns = n }
        var binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("ctfix").path
        // Another build to compare (the same tables, run right after this one's).
        if let index = arguments.firstIndex(of: "--binary"), index + 1 < arguments.count { binary = arguments[index + 1] }
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw BenchmarkError("\(binary) not found: build it with `swift build -c release` first")
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        // The audit log's fsyncs are the disk's figure, not ctfix's: measured on a tmpfs
        // (/dev/shm) and on the disk of the temporary directory, in the same run.
        var auditDirectories = [("tmpfs", "/dev/shm"), ("disk", NSTemporaryDirectory())]
        if let index = arguments.firstIndex(of: "--audit-dir"), index + 1 < arguments.count { auditDirectories = [("given", arguments[index + 1])] }
        print("ctfix run PLAYBOOK --dry-run against an example host (\(binary), \(runs) runs each, after 3 warm-up runs)")
        print("playbook          host                    audit   min       median    p90       p99       max        peak RSS")
        var tableFullMedian: Double?
        for (label, directory) in auditDirectories where FileManager.default.fileExists(atPath: directory) {
            let audit = (directory as NSString).appendingPathComponent("ctfix-bench-audit-\(getpid()).jsonl")
            defer {
                for suffix in ["", ".head", ".lock"] { try? FileManager.default.removeItem(atPath: audit + suffix) }
            }
            for (playbook, host) in [("table-full", "ubuntu-table-full"), ("table-full", "centos5-ip-conntrack"),
                                     ("alloc-failure", "centos6-alloc-failure"), ("unload-conntrack", "centos5-ip-conntrack")] {
                let argv = [binary, "run", "\(root)/playbooks/\(playbook).yaml", "--root", "\(root)/examples/hosts/\(host)", "--dry-run", "--audit-log", audit]
                for _ in 0..<3 { _ = try Spawned.run(argv) }
                var samples: [Double] = [], peaks: [Int] = []
                for _ in 0..<runs { samples.append(try Spawned.run(argv).0) }
                for _ in 0..<3 { peaks.append(try Spawned.peakRSS(argv)) }
                samples.sort()
                func pick(_ q: Double) -> String { String(format: "%6.2f ms", samples[min(samples.count - 1, Int(Double(samples.count - 1) * q))]) }
                if playbook == "table-full", host == "ubuntu-table-full", tableFullMedian == nil { tableFullMedian = samples[samples.count / 2] }
                print("\(playbook.padding(toLength: 17, withPad: " ", startingAt: 0))\(host.padding(toLength: 24, withPad: " ", startingAt: 0))\(label.padding(toLength: 8, withPad: " ", startingAt: 0))\(pick(0))  \(pick(0.5))  \(pick(0.9))  \(pick(0.99))  \(pick(1))  \(String(format: "%5.1f MiB", Double(peaks.max() ?? 0) / 1024))")
            }
        }
        print("idle ctfix watch (table-full, ubuntu-table-full copy): peak RSS \(String(format: "%.1f MiB", try idleWatchPeak(binary: binary, repo: root) / 1024))")
        try ansible(repo: root, runs: ansibleRuns, ctfixMedian: tableFullMedian)
    }

    /// VmHWM (KiB) of a `ctfix watch` that has started, written its state and waited a second.
    static func idleWatchPeak(binary: String, repo: String) throws -> Double {
        let host = NSTemporaryDirectory() + "ctfix-bench-idle-\(getpid())"
        try FileManager.default.copyItem(atPath: repo + "/examples/hosts/ubuntu-table-full", toPath: host)
        defer { try? FileManager.default.removeItem(atPath: host) }
        try? FileManager.default.removeItem(atPath: host + "/ctfix-snapshot.json")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["watch", repo + "/playbooks/table-full.yaml", "--root", host, "--log", "/var/log/kern.log", "--interval", "1h"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { process.terminate(); process.waitUntilExit() }
        let deadline = ContinuousClock.now + .seconds(30)
        while !FileManager.default.fileExists(atPath: host + "/var/lib/ctfix/watch-state.json") {
            guard ContinuousClock.now < deadline, process.isRunning else { throw BenchmarkError("ctfix watch did not start") }
            usleep(20_000)
        }
        sleep(1)
        let status = try String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kib = Double(line.split(separator: " ").dropFirst().first ?? "") else { throw BenchmarkError("no VmHWM") }
        return kib
    }

    /// `ansible-playbook --check --diff` of the same work on the same host's files, when installed.
    static func ansible(repo: String, runs: Int, ctfixMedian: Double?) throws {
        let playbook = "/usr/bin/ansible-playbook"
        guard runs > 0 else { return }
        guard FileManager.default.isExecutableFile(atPath: playbook) else {
            print("ansible-playbook: not installed (apt-get install ansible-core), not compared")
            return
        }
        let argv = [playbook, "-i", "localhost,", "-c", "local", "--check", "--diff", repo + "/Benchmarks/ansible/table-full.yml",
                    "-e", "root=" + repo + "/examples/hosts/ubuntu-table-full"]
        var environment = ProcessInfo.processInfo.environment
        environment["ANSIBLE_NOCOLOR"] = "1"
        _ = try Spawned.run(argv, environment: environment)
        var samples: [Double] = []
        for _ in 0..<runs { samples.append(try Spawned.run(argv, environment: environment).0) }
        let peaks = [try Spawned.peakRSS(argv, environment: environment)]
        samples.sort()
        let median = samples[samples.count / 2]
        print(String(format: "ansible-playbook --check --diff (Benchmarks/ansible/table-full.yml, ubuntu-table-full, %d runs): median %.0f ms, max %.0f ms, peak RSS %.1f MiB", runs, median, samples.last ?? 0, Double(peaks.max() ?? 0) / 1024))
        if let ctfixMedian { print(String(format: "ansible-playbook / ctfix (medians, first audit directory): %.0f×", median / ctfixMedian)) }
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
