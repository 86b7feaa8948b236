import CtfixCore
import Foundation

/// `ctfix-bench diff`: the plan's unified diff of a large config file, the linear-space Myers
/// script (`UnifiedDiff`) beside the quadratic LCS table it replaced and GNU `diff -u`. Each
/// measurement is its own process (`diff-measure`), so its peak RSS is its own.
enum DiffBenchmark {
    static func run(_ arguments: [String]) throws {
        var lines = 10_000, runs = 5
        if let index = arguments.firstIndex(of: "--lines"), index + 1 < arguments.count, let n = Int(arguments[index + 1]) { lines = n }
        if let index = arguments.firstIndex(of: "--runs"), index + 1 < arguments.count, let n = Int(arguments[index + 1]) { runs = n }
        let directory = NSTemporaryDirectory() + "ctfix-bench-diff-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let old = (0..<lines).map { "option_\($0) = \($0 % 97)\n" }
        var scattered = old
        for index in stride(from: 11, to: lines, by: 100) { scattered[index] = "option_\(index) = changed\n" }
        let rewritten = old.map { "# " + $0 }
        try old.joined().write(toFile: directory + "/old", atomically: false, encoding: .utf8)
        try scattered.joined().write(toFile: directory + "/scattered", atomically: false, encoding: .utf8)
        try rewritten.joined().write(toFile: directory + "/rewritten", atomically: false, encoding: .utf8)
        let me = CommandLine.arguments[0]
        print("unified diff of a \(lines)-line file (wall: median of \(runs) runs, each its own process; peak RSS of one more run, /usr/bin/time)")
        print("change                   method                 wall        peak RSS")
        for (name, file) in [("every 100th line", "scattered"), ("every line", "rewritten")] {
            for method in ["myers", "lcs", "diff -u"] {
                let argv = method == "diff -u" ? ["/usr/bin/diff", "-u", directory + "/old", directory + "/" + file]
                    : [me, "diff-measure", method, directory + "/old", directory + "/" + file]
                let status: Set<Int32> = method == "diff -u" ? [1] : [0]
                var walls: [Double] = []
                for _ in 0..<runs { walls.append(try Spawned.run(argv, acceptingStatus: status).0) }
                let wall = walls.sorted()[walls.count / 2], rss = try Spawned.peakRSS(argv, acceptingStatus: status)
                let label = method == "myers" ? "Myers (ctfix now)" : method == "lcs" ? "LCS table (before)" : "GNU diff -u"
                print("\(name.padding(toLength: 25, withPad: " ", startingAt: 0))\(label.padding(toLength: 23, withPad: " ", startingAt: 0))\(String(format: "%8.1f ms  %7.1f MiB", wall, Double(rss) / 1024))")
            }
        }
        print("(ctfix-bench reading the two files and diffing nothing: \(String(format: "%.1f MiB", Double(try Spawned.peakRSS([me, "diff-measure", "none", directory + "/old", directory + "/scattered"])) / 1024)))")
    }

    /// The child: reads both files and diffs them with one method ("none": only reads them).
    static func measure(_ arguments: [String]) throws {
        guard arguments.count == 3 else { throw BenchmarkError("diff-measure myers|lcs|none OLD NEW") }
        let old = try String(contentsOfFile: arguments[1], encoding: .utf8), new = try String(contentsOfFile: arguments[2], encoding: .utf8)
        var changed = 0
        switch arguments[0] {
        case "myers": changed = UnifiedDiff.make(old: old, new: new, path: "/etc/x").utf8.count
        case "lcs": changed = LCSTable.changedLines(old, new)
        default: break
        }
        if changed < 0 { print(changed) }
    }
}

/// The longest-common-subsequence table `UnifiedDiff` used before (N·M integers), kept here
/// only to measure what it cost.
enum LCSTable {
    static func changedLines(_ old: String, _ new: String) -> Int {
        let a = old.split(separator: "\n", omittingEmptySubsequences: false), b = new.split(separator: "\n", omittingEmptySubsequences: false)
        let n = a.count, m = b.count
        var table = [[Int]](repeating: [Int](repeating: 0, count: m + 1), count: n + 1)
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                table[i][j] = a[i] == b[j] ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
            }
        }
        return n + m - 2 * table[0][0]
    }
}
