import Foundation

/// Finds kernel-log lines matching a pattern on a host, counting the occurrences the rate
/// limiter suppressed, from the right source for the host (see `KernelLogSource.automatic`).
///
/// This is the engine behind the `log` predicate, and what `ctfix status` calls to show
/// recent conntrack events. It never throws and never blocks: an unreadable source is
/// reported with its reason and the next one is tried; journald runs under a timeout; the
/// kmsg device is read non-blocking.
public struct KernelLogScanner: Sendable {
    /// How many of the most recent matches are kept as evidence.
    public var matchLimit: Int
    /// Facilities counted besides kernel lines (a `log` predicate's `facilities`).
    public var facilities: Set<Int> = LogFacilities.kernelOnly

    /// Lines stamped this much after `now` still count: a message logged while the check
    /// runs, or a boot time known only to the second.
    public static let futureSlack: TimeInterval = 2

    public init(matchLimit: Int = 20) {
        self.matchLimit = matchLimit
    }

    /// Scans `sources` (or the `--log` files of the context, which replace them) for kernel
    /// messages matching `pattern` within the last `within` (nil: the whole source).
    public func scan(pattern: CompiledPattern, within: Duration?, sources: [KernelLogSource] = [.automatic],
                     in context: EvaluationContext) async -> KernelLogScanResult {
        let window = Self.window(within: within, notBefore: context.notBefore, now: context.now)
        let parser = KernelLogLineParser(now: context.now, zone: HostTimeFacts.timeZone(of: context.host),
                                         bootTime: HostTimeFacts.bootTime(of: context.host.fileSystem, now: context.now))
        if let evidence = context.lineEvidence {
            return evidence.scan(pattern: pattern, window: window, facilities: facilities, limit: matchLimit, parser: parser)
        }
        var run = KernelLogScanRun(pattern: pattern, window: window, limit: matchLimit, parser: parser, host: context.host)
        run.facilities = facilities
        if let files = context.logFiles {
            run.scanLocalFiles(files)
        } else {
            for source in sources.isEmpty ? [.automatic] : sources {
                switch source {
                case .automatic: await run.scanAutomatic()
                case .journald: run.record(await run.scanJournald())
                case .kmsg: run.record(run.scanKmsg())
                case .file(let path): run.record(run.scanFile(path, in: context.host.fileSystem, includeRotated: true))
                }
            }
        }
        return run.result()
    }

    /// The window a check covers: from `now − within` (or `notBefore`, if later) to now.
    public static func window(within: Duration?, notBefore: Date?, now: Date) -> LogWindow? {
        let fromWithin = within.map { now.addingTimeInterval(-$0.seconds) }
        let start: Date
        switch (fromWithin, notBefore) {
        case (nil, nil): return nil
        case (let a?, nil): start = a
        case (nil, let b?): start = b
        case (let a?, let b?): start = max(a, b)
        }
        return LogWindow(start: start, end: now.addingTimeInterval(futureSlack))
    }
}

/// What a scan found, and where it looked.
public struct KernelLogScanResult: Sendable, Equatable {
    /// The most recent matches (at most the scanner's `matchLimit`), oldest first.
    public var matches: [LogMatch]
    /// Matching lines found.
    public var matchedLines: Int
    /// Occurrences announced by rate-limiter notices next to matching lines.
    public var suppressedOccurrences: Int
    /// The window applied, if any.
    public var window: LogWindow?
    /// Every source tried, in order; those with no `problem` were read.
    public var sources: [KernelLogSourceReport]

    public init(matches: [LogMatch], matchedLines: Int, suppressedOccurrences: Int, window: LogWindow?,
                sources: [KernelLogSourceReport]) {
        self.matches = matches
        self.matchedLines = matchedLines
        self.suppressedOccurrences = suppressedOccurrences
        self.window = window
        self.sources = sources
    }

    /// Matching lines plus suppressed occurrences: what `min_count` is compared with.
    public var count: Int { matchedLines + suppressedOccurrences }

    /// Lines no source's pattern could decide (over its limits): a count below `min_count`
    /// is then not a "no".
    public var undecidedLines: Int { readSources.compactMap(\.undecidedLines).reduce(0, +) }

    /// The sources actually read.
    public var readSources: [KernelLogSourceReport] { sources.filter(\.wasRead) }

    /// False when no source could be read: the answer is unknown, not "no matches".
    public var isAvailable: Bool { !readSources.isEmpty }

    /// Bytes read from all sources.
    public var bytesRead: Int64 { sources.reduce(0) { $0 + $1.bytesRead } }

    /// False when a source had no timestamps at all, so its every line was counted.
    public var windowApplied: Bool { readSources.allSatisfy(\.windowApplied) }

    /// "no kernel log source available: tried journald (…), /dev/kmsg (…), …"
    public var unavailableReason: String {
        let tried = sources.map { "\($0.name) (\($0.problem ?? "read"))" }.joined(separator: ", ")
        return "no kernel log source available: tried " + (tried.isEmpty ? "nothing" : tried)
    }
}

/// Lines already read by the caller (`ctfix watch`'s new lines), counted by a `log` predicate
/// in place of its sources: see `EvaluationContext.lineEvidence`.
public protocol LogLineEvidence: Sendable {
    func scan(pattern: CompiledPattern, window: LogWindow?, facilities: Set<Int>, limit: Int,
              parser: KernelLogLineParser) -> KernelLogScanResult
}
