import CtfixCore
import Foundation

/// `ctfix-bench logs`: the kernel-log engine on generated kern.log files of 10 MiB and 1 GiB.
///
/// - A 15-minute windowed check (the `log` predicate as playbooks use it): wall time, bytes
///   read and peak RSS. The claim is that it costs the same on both sizes and stays under
///   30 MiB, because it seeks from the end instead of reading the file.
/// - A full scan (no window) against `grep -c` of the same pattern on the same file.
///
/// Each measurement runs in a fresh child process (`logs-measure`), so the peak RSS it reports
/// (VmHWM) is the check's own and not the generator's.
enum LogsBenchmark {
    static let pattern = "nf_conntrack: (nf_conntrack: )?table full"
    static let cacheDirectory = "/tmp/ctfix-bench"
    static let generatorVersion = 3

    struct Prepared {
        var size: Int
        var root: String
        var file: String
        var now: Date
    }

    struct Measurement: Codable {
        var medianMilliseconds: Double
        var minimumMilliseconds: Double
        var bytesRead: Int64
        var matchedLines: Int
        var count: Int
        var peakRSSKiB: Int
    }

    static func run(_ arguments: [String]) async throws {
        var sizes: [Int] = []
        var runs = 5
        var index = 0
        while index < arguments.count {
            switch arguments[index] {
            case "--size":
                guard index + 1 < arguments.count, let size = parseSize(arguments[index + 1]) else {
                    throw BenchError("--size needs a size such as 10MiB or 1GiB")
                }
                sizes.append(size)
                index += 2
            case "--runs":
                guard index + 1 < arguments.count, let value = Int(arguments[index + 1]), value > 0 else {
                    throw BenchError("--runs needs a positive number")
                }
                runs = value
                index += 2
            default:
                throw BenchError("unknown option '\(arguments[index])' (expected --size SIZE, --runs N)")
            }
        }
        // The 10 MiB file is always measured: the point is comparing it with the large one.
        sizes = Array(Set(sizes.isEmpty ? [10 << 20, 1 << 30] : sizes + [10 << 20])).sorted()
        var prepared: [Prepared] = []
        for size in sizes { prepared.append(try prepare(size: size)) }

        print("\nctfix-bench logs — pattern /\(pattern)/, median of \(runs) runs, page cache warm\n")
        let header = ["file", "check", "wall", "bytes read", "peak RSS", "count"]
        var rows: [[String]] = []
        if let first = prepared.first {
            // What the process costs before it scans anything (Swift runtime, Foundation).
            let idle = try measure(first, mode: "idle", runs: 1)
            rows.append(["-", "process baseline", "", "", formatSize(idle.peakRSSKiB * 1024), ""])
        }
        for file in prepared {
            _ = try grepCount(file.file) // warm the page cache
            let window = try measure(file, mode: "window", runs: runs)
            rows.append([formatSize(file.size), "within 15m", formatMilliseconds(window.medianMilliseconds),
                         formatSize(Int(window.bytesRead)), formatSize(window.peakRSSKiB * 1024), "\(window.count)"])
            let full = try measure(file, mode: "full", runs: runs)
            let grep = try measureGrep(file.file, runs: runs)
            rows.append([formatSize(file.size), "full scan", formatMilliseconds(full.medianMilliseconds),
                         formatSize(Int(full.bytesRead)), formatSize(full.peakRSSKiB * 1024), "\(full.matchedLines) lines"])
            rows.append([formatSize(file.size), "grep -c -E", formatMilliseconds(grep.milliseconds), "", "",
                         "\(grep.count) lines"])
            rows.append([formatSize(file.size), "full / grep", String(format: "%.2f×", full.medianMilliseconds / grep.milliseconds),
                         "", "", ""])
        }
        printTable(header, rows)
    }

    /// Generates (once, cached under /tmp) the kern.log of `size` bytes as a host root.
    static func prepare(size: Int) throws -> Prepared {
        let root = "\(cacheDirectory)/kernlog-\(formatSize(size).replacingOccurrences(of: " ", with: ""))-v\(generatorVersion)"
        let file = root + "/var/log/kern.log"
        let marker = root + "/generated-end"
        if let text = try? String(contentsOfFile: marker, encoding: .utf8), let end = Double(text),
           let attributes = try? FileManager.default.attributesOfItem(atPath: file),
           let existing = attributes[.size] as? Int, existing >= size {
            return Prepared(size: size, root: root, file: file, now: Date(timeIntervalSince1970: end + 30))
        }
        try FileManager.default.createDirectory(atPath: root + "/var/log", withIntermediateDirectories: true)
        print("generating \(formatSize(size)) kern.log in \(file)")
        let started = ContinuousClock.now
        let end = try SyntheticKernLog(size: size).write(to: file)
        let elapsed = ContinuousClock.now - started
        print("  generated in \(formatMilliseconds(elapsed.milliseconds))")
        try String(end.timeIntervalSince1970).write(toFile: marker, atomically: true, encoding: .utf8)
        return Prepared(size: size, root: root, file: file, now: end.addingTimeInterval(30))
    }

    /// Runs `logs-measure` in a child process and decodes its JSON line.
    static func measure(_ file: Prepared, mode: String, runs: Int) throws -> Measurement {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = ["logs-measure", "--root", file.root, "--mode", mode,
                             "--now", String(file.now.timeIntervalSince1970), "--runs", String(runs)]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchError("logs-measure \(mode) failed (\(process.terminationStatus))") }
        return try JSONDecoder().decode(Measurement.self, from: data)
    }

    /// The child: scans `--root` the way the `log` predicate does and reports in JSON.
    static func measureChild(_ arguments: [String]) async throws {
        var options: [String: String] = [:]
        var index = 0
        while index + 1 < arguments.count {
            options[arguments[index]] = arguments[index + 1]
            index += 2
        }
        guard let root = options["--root"], let mode = options["--mode"], let nowText = options["--now"],
              let now = Double(nowText), let runs = Int(options["--runs"] ?? "5") else {
            throw BenchError("usage: logs-measure --root DIR --mode window|full|idle --now EPOCH [--runs N]")
        }
        let host = CtfixContext(fileSystem: try RootedFileSystem(root: root), clock: FixedClock(Date(timeIntervalSince1970: now)),
                                environment: ["TZ": "UTC"])
        if mode == "idle" {
            let measurement = Measurement(medianMilliseconds: 0, minimumMilliseconds: 0, bytesRead: 0, matchedLines: 0,
                                          count: 0, peakRSSKiB: peakRSSKiB())
            print(String(decoding: try JSONEncoder().encode(measurement), as: UTF8.self))
            return
        }
        let compiled = try CompiledPattern(pattern)
        let within: Duration? = mode == "window" ? .seconds(15 * 60) : nil
        var times: [Double] = []
        var last: KernelLogScanResult?
        for _ in 0..<runs {
            let context = EvaluationContext(host: host)
            let started = ContinuousClock.now
            let result = await KernelLogScanner().scan(pattern: compiled, within: within, in: context)
            times.append((ContinuousClock.now - started).milliseconds)
            last = result
        }
        guard let last, last.isAvailable else { throw BenchError(last?.unavailableReason ?? "no runs") }
        times.sort()
        let measurement = Measurement(medianMilliseconds: times[times.count / 2], minimumMilliseconds: times[0],
                                      bytesRead: last.bytesRead, matchedLines: last.matchedLines, count: last.count,
                                      peakRSSKiB: peakRSSKiB())
        print(String(decoding: try JSONEncoder().encode(measurement), as: UTF8.self))
    }

    static func measureGrep(_ file: String, runs: Int) throws -> (milliseconds: Double, count: Int) {
        var times: [Double] = []
        var count = 0
        for _ in 0..<runs {
            let started = ContinuousClock.now
            count = try grepCount(file)
            times.append((ContinuousClock.now - started).milliseconds)
        }
        times.sort()
        return (times[times.count / 2], count)
    }

    static func grepCount(_ file: String) throws -> Int {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/grep")
        process.arguments = ["-c", "-E", pattern, file]
        process.environment = ["LC_ALL": "C", "PATH": "/usr/bin:/bin"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Int(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    /// VmHWM: the most resident memory this process ever had.
    static func peakRSSKiB() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return -1 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? -1
        }
        return -1
    }

    static func parseSize(_ text: String) -> Int? {
        let units: [(String, Int)] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10), ("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            return Double(text.dropLast(suffix.count)).map { Int($0 * Double(scale)) }.flatMap { $0 > 0 ? $0 : nil }
        }
        return Int(text).flatMap { $0 > 0 ? $0 : nil }
    }

    static func formatSize(_ bytes: Int) -> String {
        if bytes >= 1 << 30 { return String(format: "%.3g GiB", Double(bytes) / Double(1 << 30)) }
        if bytes >= 1 << 20 { return String(format: "%.3g MiB", Double(bytes) / Double(1 << 20)) }
        if bytes >= 1 << 10 { return String(format: "%.3g KiB", Double(bytes) / Double(1 << 10)) }
        return "\(bytes) B"
    }

    static func formatMilliseconds(_ milliseconds: Double) -> String {
        milliseconds >= 1000 ? String(format: "%.2f s", milliseconds / 1000) : String(format: "%.2f ms", milliseconds)
    }

    static func printTable(_ header: [String], _ rows: [[String]]) {
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }
        print(line(header))
        print(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "))
        for row in rows { print(line(row)) }
    }
}

extension Duration {
    var milliseconds: Double {
        Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
    }
}
