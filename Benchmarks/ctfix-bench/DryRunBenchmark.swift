import Foundation

/// `ctfix-bench dry-run`: the whole `ctfix run PLAYBOOK --dry-run` process, as an on-call
/// engineer or a CI review job runs it, timed from spawn to exit: startup, YAML, detection
/// (log tail, procfs), planning, the audit records (fsynced) and the printed plan.
enum DryRunBenchmark {
    static func run(_ arguments: [String]) throws {
        var runs = 50
        if let index = arguments.firstIndex(of: "--runs"), index + 1 < arguments.count, let n = Int(arguments[index + 1]) { runs = n }
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("ctfix").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw BenchmarkError("\(binary) not found: build it with `swift build -c release` first")
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let audit = NSTemporaryDirectory() + "ctfix-bench-audit-\(getpid()).jsonl"
        defer {
            for suffix in ["", ".head", ".lock"] { try? FileManager.default.removeItem(atPath: audit + suffix) }
        }
        print("ctfix run PLAYBOOK --dry-run against an example host (release build, \(runs) runs each, after 3 warm-up runs)")
        print("playbook          host                    median    p90       p99       max")
        for (playbook, host) in [("table-full", "centos5-ip-conntrack"), ("table-full", "ubuntu-table-full"),
                                 ("alloc-failure", "centos6-alloc-failure"), ("unload-conntrack", "centos5-ip-conntrack")] {
            let argv = ["run", "\(root)/playbooks/\(playbook).yaml", "--root", "\(root)/examples/hosts/\(host)", "--dry-run", "--audit-log", audit]
            for _ in 0..<3 { _ = try time(binary, argv) }
            var samples: [Double] = []
            for _ in 0..<runs { samples.append(try time(binary, argv)) }
            samples.sort()
            func pick(_ q: Double) -> String { String(format: "%6.2f ms", samples[min(samples.count - 1, Int(Double(samples.count - 1) * q))]) }
            print("\(playbook.padding(toLength: 17, withPad: " ", startingAt: 0))\(host.padding(toLength: 24, withPad: " ", startingAt: 0))\(pick(0.5))  \(pick(0.9))  \(pick(0.99))  \(pick(1))")
        }
    }

    static func time(_ binary: String, _ arguments: [String]) throws -> Double {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        let start = ContinuousClock.now
        try process.run()
        process.waitUntilExit()
        let elapsed = ContinuousClock.now - start
        guard process.terminationStatus == 0 else { throw BenchmarkError("ctfix \(arguments.joined(separator: " ")) exited \(process.terminationStatus)") }
        return elapsed.seconds * 1000
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
