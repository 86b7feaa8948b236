import CtfixCore
import Foundation

/// `ctfix-bench regex`: the worst cost of one playbook pattern on one line at the length limit
/// (`CompiledPattern.maximumMatchedBytes`), next to `grep -E` (a DFA, linear) on the same line.
///
/// For each pattern: whether ctfix refuses it at load time; if not, ctfix's bounded match time
/// and result (`overLimit` when the CPU budget stopped it); the unbounded ICU engine's time
/// (what ctfix did before the limits), stopped at `--cap` seconds; and grep's time, killed at
/// the same cap.
enum RegexBenchmark {
    struct Case { var pattern: String; var line: String; var note: String }

    static func cases(length: Int) -> [Case] {
        let a = String(repeating: "a", count: length - 1) + "b"
        let words = String(String(repeating: "word ", count: length / 5 + 1).prefix(length - 1)) + "!"
        let conntrack = String(String(repeating: "nf_conntrack: ", count: length / 14 + 1).prefix(length))
        return [
            Case(pattern: "(a+)+$", line: a, note: "issue 8: log pattern"),
            Case(pattern: "(\\w+\\s?)+$", line: words, note: "issue 8: file_matches pattern"),
            Case(pattern: "(a|aa)+$", line: a, note: "overlapping alternatives (not caught by the analyser)"),
            Case(pattern: "\\w*\\w*\\w*$", line: String(repeating: "w", count: length - 1) + "!", note: "cubic"),
            Case(pattern: "(?=(a|aa)+$)", line: a, note: "inside a lookahead"),
            Case(pattern: "nf_conntrack: .*table full", line: conntrack, note: "shipped style, hostile line"),
            Case(pattern: "(ip|nf)_conntrack: (nf_conntrack: )?table full(,| in netns [0-9]+,) dropping packet",
                 line: conntrack, note: "table-full.yaml, hostile line"),
        ]
    }

    static func run(_ arguments: [String]) throws {
        var runs = 5
        var cap = 5.0
        var index = 0
        while index < arguments.count {
            switch arguments[index] {
            case "--runs": index += 1; runs = Int(arguments[index]) ?? runs
            case "--cap": index += 1; cap = Double(arguments[index]) ?? cap
            default: throw BenchmarkUsage(message: "unknown argument \(arguments[index])")
            }
            index += 1
        }
        let length = CompiledPattern.maximumMatchedBytes
        print("line length \(length) bytes; ctfix budget \(CompiledPattern.limitsText); cap \(cap) s; median of \(runs) runs\n")
        var rows: [[String]] = []
        for item in cases(length: length) {
            let file = NSTemporaryDirectory() + "ctfix-bench-regex-\(getpid()).txt"
            try (item.line + "\n").write(toFile: file, atomically: true, encoding: .utf8)
            defer { unlink(file) }
            var ctfix = "refused at load"
            do {
                let pattern = try CompiledPattern(item.pattern)
                var result = CompiledPattern.MatchResult.noMatch
                let time = median(runs) { result = pattern.test(item.line) }
                ctfix = "\(LogsBenchmark.formatMilliseconds(time)) (\(result))"
            } catch {}
            let unbounded = try NSRegularExpression(pattern: item.pattern)
            var stopped = false
            let raw = median(1) { stopped = unboundedMatch(unbounded, item.line, cap: cap) }
            let grep = median(1) { _ = grepTime(item.pattern, file, cap: cap) }
            rows.append([item.pattern, item.note, ctfix, stopped ? "> \(Int(cap)) s (stopped)" : LogsBenchmark.formatMilliseconds(raw),
                         grep >= cap * 950 ? "> \(Int(cap)) s (killed)" : LogsBenchmark.formatMilliseconds(grep)])
        }
        LogsBenchmark.printTable(["pattern", "case", "ctfix (bounded)", "ICU unbounded", "grep -E"], rows)
    }

    /// Median wall time of `body` in milliseconds.
    static func median(_ runs: Int, _ body: () -> Void) -> Double {
        var times: [Double] = []
        for _ in 0..<max(runs, 1) {
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        return times.sorted()[times.count / 2]
    }

    /// The engine without ctfix's limits, stopped after `cap` seconds; true when stopped.
    static func unboundedMatch(_ regex: NSRegularExpression, _ line: String, cap: Double) -> Bool {
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(cap * 1e9)
        var stopped = false
        regex.enumerateMatches(in: line, options: [.reportProgress], range: NSRange(line.startIndex..., in: line)) { result, _, stop in
            if result != nil { stop.pointee = true; return }
            if DispatchTime.now().uptimeNanoseconds > deadline { stopped = true; stop.pointee = true }
        }
        return stopped
    }

    /// `grep -c -E pattern file`, killed at `cap` seconds.
    static func grepTime(_ pattern: String, _ file: String, cap: Double) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        process.arguments = ["-s", "KILL", String(cap), "/usr/bin/grep", "-c", "-E", pattern, file]
        process.environment = ["LC_ALL": "C", "PATH": "/usr/bin:/bin"]
        process.standardOutput = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus <= 1
    }
}

struct BenchmarkUsage: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
