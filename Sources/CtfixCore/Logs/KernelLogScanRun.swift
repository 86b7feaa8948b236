import Foundation

/// One scan in progress: reads sources one at a time, each into its own accumulator, and
/// keeps only those that could be read, so a source failing halfway never adds half its
/// count to a fallback's.
struct KernelLogScanRun {
    typealias Outcome = (report: KernelLogSourceReport, accumulator: MatchAccumulator)

    /// The kmsg ring buffer is a few MiB at most; this bounds memory whatever the kernel says.
    static let kmsgReadLimit = 16 << 20

    let pattern: CompiledPattern
    let window: LogWindow?
    let limit: Int
    var parser: KernelLogLineParser
    let host: CtfixContext
    /// Facilities counted besides kernel lines (`LogFacilities`).
    var facilities: Set<Int> = LogFacilities.kernelOnly

    private var reports: [KernelLogSourceReport] = []
    private var matches: [LogMatch] = []
    private var matchedLines = 0
    private var suppressed = 0

    init(pattern: CompiledPattern, window: LogWindow?, limit: Int, parser: KernelLogLineParser, host: CtfixContext) {
        self.pattern = pattern
        self.window = window
        self.limit = limit
        self.parser = parser
        self.host = host
    }

    /// Adds a source's outcome; returns whether it was read.
    @discardableResult
    mutating func record(_ outcome: Outcome) -> Bool {
        reports.append(outcome.report)
        guard outcome.report.wasRead else { return false }
        matches += outcome.accumulator.recent
        matchedLines += outcome.accumulator.matchedLines
        suppressed += outcome.accumulator.suppressedOccurrences
        return true
    }

    func result() -> KernelLogScanResult {
        var recent = matches
        if reports.filter(\.wasRead).count > 1 {
            recent = recent.enumerated().sorted { a, b in
                switch (a.element.time, b.element.time) {
                case let (x?, y?) where x != y: x < y
                case (nil, _?): true
                case (_?, nil): false
                default: a.offset < b.offset
                }
            }.map(\.element)
        }
        return KernelLogScanResult(matches: Array(recent.suffix(limit)), matchedLines: matchedLines,
                                   suppressedOccurrences: suppressed, window: window, sources: reports)
    }

    // MARK: Sources

    /// `default`: the first source that can be read, and only that one.
    mutating func scanAutomatic() async {
        func candidate(_ outcome: Outcome) -> Outcome {
            var marked = outcome
            marked.report.isDefaultFallback = true
            return marked
        }
        if record(candidate(await scanJournald())) { return }
        if record(candidate(scanKmsg())) { return }
        for path in KernelLogSource.defaultFiles
        where record(candidate(scanFile(path, in: host.fileSystem, includeRotated: true))) {
            return
        }
    }

    /// `--log FILE…`: files on this machine, read as given (no root, no rotation).
    /// Pasted text: a Markdown fence glued to a line is not part of it.
    mutating func scanLocalFiles(_ files: [String]) {
        parser.stripsMarkdownFences = true
        let local: RootedFileSystem
        do {
            local = try RootedFileSystem(root: "/")
        } catch {
            for file in files { record((.unavailable(file, error.reason.shortDescription), MatchAccumulator(limit: limit))) }
            return
        }
        for file in files {
            let absolute = file.hasPrefix("/") ? file : FileManager.default.currentDirectoryPath + "/" + file
            let path = URL(fileURLWithPath: absolute).standardizedFileURL.path
            var outcome = scanFile(path, in: local, includeRotated: false)
            outcome.report.name = file
            record(outcome)
        }
    }

    func scanJournald() async -> Outcome {
        var accumulator = MatchAccumulator(limit: limit)
        var undecided = UndecidedLines()
        let output: JournaldKernelLog.Output
        switch await JournaldKernelLog(host: host).read(window: window) {
        case .failure(let problem): return (.unavailable("journald", problem.reason), accumulator)
        case .success(let read): output = read
        }
        for (index, entry) in output.entries.enumerated()
        where LogFacilities.accepts(isKernel: entry.isKernel, facility: entry.facility, facilities) {
            let counts = window.map { window in entry.time.map(window.contains) ?? false } ?? true
            if let count = SuppressionNotice.suppressedCount(in: entry.message) {
                accumulator.addSuppressionNotice(count: count, at: index, counts: counts)
            } else if undecided.matches(pattern, entry.message) {
                accumulator.addMatch(LogMatch(time: entry.time, source: "journald", line: nil, text: entry.message),
                                     at: index, counts: counts)
            }
        }
        accumulator.finishSource()
        var report = KernelLogSourceReport(name: "journald", bytesRead: output.bytes,
                                           notes: output.notes + (undecided.note.map { [$0] } ?? []))
        if undecided.count > 0 { report.undecidedLines = undecided.count }
        return (report, accumulator)
    }

    func scanKmsg() -> Outcome {
        let path = KernelLogSource.kmsgPath
        let fileSystem = host.fileSystem
        let info: FileInfo
        do {
            guard let found = try fileSystem.info(path) else {
                return (.unavailable(path, "no such file"), MatchAccumulator(limit: limit))
            }
            info = found
        } catch {
            return (.unavailable(path, error.reason.shortDescription), MatchAccumulator(limit: limit))
        }
        switch info.kind {
        case .file:
            return scanFile(path, in: fileSystem, includeRotated: false)
        case .characterDevice:
            if window != nil, parser.bootTime == nil {
                return (.unavailable(path, "boot time unknown (no btime in /proc/stat, no /proc/uptime)"), MatchAccumulator(limit: limit))
            }
            do {
                let (bytes, truncated) = try fileSystem.readKernelRecords(path, limit: Self.kmsgReadLimit)
                var outcome = scanOpened(ByteBufferReader(bytes), name: path, rotated: nil)
                outcome.report.bytesRead = Int64(bytes.count)
                if truncated { outcome.report.notes.append("ring buffer read cut at \(Self.kmsgReadLimit >> 20) MiB") }
                return outcome
            } catch {
                return (.unavailable(path, error.reason.shortDescription), MatchAccumulator(limit: limit))
            }
        case .directory, .other:
            return (.unavailable(path, "not a character device or file"), MatchAccumulator(limit: limit))
        }
    }

    /// A log file; `includeRotated` also reads `<path>.1` first when the window reaches back
    /// before the file's first line (always, without a window).
    func scanFile(_ path: String, in fileSystem: any FileSystem, includeRotated: Bool) -> Outcome {
        let reader: any RandomAccessReader
        do {
            guard let info = try fileSystem.info(path) else {
                return (.unavailable(path, "no such file"), MatchAccumulator(limit: limit))
            }
            guard info.kind == .file else {
                return (.unavailable(path, info.kind == .directory ? "a directory, not a log file" : "not a regular file"),
                        MatchAccumulator(limit: limit))
            }
            reader = try fileSystem.openForReading(path)
        } catch {
            return (.unavailable(path, error.reason.shortDescription), MatchAccumulator(limit: limit))
        }
        return scanOpened(reader, name: path, rotated: includeRotated ? (fileSystem, path + ".1") : nil)
    }

    /// The windowed or full scan of one opened log, with its rotated predecessor if asked.
    private func scanOpened(_ reader: any RandomAccessReader, name: String,
                            rotated: (fileSystem: any FileSystem, path: String)?) -> Outcome {
        var accumulator = MatchAccumulator(limit: limit)
        var report = KernelLogSourceReport(name: name)
        var scanner = LogByteScanner(pattern: pattern, sourceName: name, parser: parser)
        scanner.facilities = facilities
        let size = reader.size
        do {
            var pass = LogByteScanner.Pass(window: nil, firstLineNumber: 1, skipsPartialFirstLine: false)
            var start: Int64 = 0
            var readsRotated = rotated != nil
            if let window {
                let tail = try scanner.locateWindowStart(reader, size: size, windowStart: window.start)
                start = tail.offset
                pass = LogByteScanner.Pass(window: tail.sawTimestamps ? window : nil,
                                           firstLineNumber: tail.offset == 0 ? 1 : nil,
                                           skipsPartialFirstLine: !tail.isLineStart, readsEveryLine: tail.sawDisorder)
                if tail.sawDisorder {
                    report.notes.append("timestamps go back by more than \(Int(LogByteScanner.allowedDisorder))s: read the whole file for the window")
                }
                report.windowApplied = tail.sawTimestamps
                let startsInWindow = tail.sawTimestamps && (tail.earliestTime ?? .distantPast) >= window.start
                readsRotated = readsRotated && tail.reachedStart && (size == 0 || startsInWindow)
            }
            if readsRotated, let rotated {
                // The older file first, so lines arrive in time order.
                let older = scanFile(rotated.path, in: rotated.fileSystem, includeRotated: false)
                if older.report.wasRead {
                    accumulator = older.accumulator
                    report.files += older.report.files
                    report.bytesRead += older.report.bytesRead
                    if !older.report.windowApplied { report.windowApplied = false }
                } else if older.report.problem != "no such file" {
                    report.notes.append("\(rotated.path): \(older.report.problem ?? "")")
                }
            }
            try scanner.scanForward(reader, from: start, to: size, pass: pass, into: &accumulator)
        } catch {
            report.problem = "read failed: \(error.reason.shortDescription)"
        }
        accumulator.finishSource()
        if let note = scanner.undecided.note {
            report.notes.append(note)
            report.undecidedLines = (report.undecidedLines ?? 0) + scanner.undecided.count
        }
        report.files.append(name)
        report.bytesRead += scanner.bytesRead
        return (report, accumulator)
    }
}
