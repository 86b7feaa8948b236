import Foundation

/// The kernel lines `ctfix watch` has read that matter to a watched playbook (a match of one of
/// its `log` patterns, or a rate-limiter notice), each numbered by a serial that only grows, and
/// for each playbook the serial of the last line a run of it has acted on.
///
/// This is what makes "new lines only" exact: when watch evaluates a playbook, its `log`
/// predicates count the lines after the playbook's `actedThrough` serial — not lines newer than
/// some whole-second timestamp — so a restart in the same second as a run neither replays the
/// lines that run acted on nor loses the ones appended after it. Kept in the watch state, so
/// lines read but not yet acted on (cooldown, busy host lock) survive a restart.
public struct WatchEvidence: Codable, Sendable, Equatable {
    /// One line read by watch.
    public struct Entry: Codable, Sendable, Equatable {
        public var serial: UInt64
        /// The watch source it was read from (`/var/log/messages`, `kmsg`, `journald`).
        public var source: String
        /// Its line number in that source as watch counted it (for attributing rate-limiter
        /// notices to the matching line next to them, as the `log` predicate does).
        public var index: Int
        /// When it was logged, if the line says (used only to forget lines outside every window).
        public var time: Date?
        public var line: String
    }

    public var entries: [Entry] = []
    /// The serial of the last line ever kept.
    public var lastSerial: UInt64 = 0
    /// Per playbook: lines with this serial or lower were acted on by one of its runs (or were
    /// read before the playbook was watched) and are not new evidence.
    public var actedThrough: [String: UInt64] = [:]

    enum CodingKeys: String, CodingKey { case entries, lastSerial = "last_serial", actedThrough = "acted_through" }

    /// Lines kept at most; older ones are forgotten first (said in a `watch_note`).
    public static let capacity = 10_000

    public init() {}

    /// Keeps a line; returns its serial.
    @discardableResult
    mutating func append(_ line: String, source: String, index: Int, time: Date?) -> UInt64 {
        lastSerial += 1
        entries.append(Entry(serial: lastSerial, source: source, index: index, time: time, line: line))
        return lastSerial
    }

    /// The lines a playbook has not acted on yet.
    func unconsumed(by playbook: String) -> [Entry] {
        let floor = actedThrough[playbook] ?? 0
        return entries.filter { $0.serial > floor }
    }

    /// Where a source's line numbering continues after a restart: far enough from the last kept
    /// line that no notice is attributed across the gap.
    func nextIndex(for source: String) -> Int {
        (entries.last { $0.source == source }?.index ?? 0) + MatchAccumulator.attributionDistance + 2
    }

    /// Forgets lines every playbook has acted on, lines logged before `notAfter` (outside every
    /// window), and the oldest beyond `capacity`. Returns how many were dropped by capacity.
    @discardableResult
    mutating func prune(playbooks: [String], olderThan cutoff: Date?) -> Int {
        let floor = playbooks.map { actedThrough[$0] ?? 0 }.min() ?? lastSerial
        entries.removeAll { entry in
            entry.serial <= floor || (cutoff.map { cut in entry.time.map { $0 < cut } ?? false } ?? false)
        }
        let excess = max(0, entries.count - Self.capacity)
        if excess > 0 { entries.removeFirst(excess) }
        return excess
    }
}

/// The evidence one evaluation of one playbook counts: its unconsumed lines, per followed
/// source. Given to the `log` predicate through `EvaluationContext.lineEvidence`.
struct WatchLineEvidence: LogLineEvidence {
    let entries: [WatchEvidence.Entry]
    /// Every followed source, so a source with no new line still counts as read (zero lines).
    let sources: [String]

    func scan(pattern: CompiledPattern, window: LogWindow?, facilities: Set<Int>, limit: Int,
              parser: KernelLogLineParser) -> KernelLogScanResult {
        var parser = parser
        var matches: [LogMatch] = []
        var matchedLines = 0
        var suppressed = 0
        var reports: [KernelLogSourceReport] = []
        for source in sources {
            var accumulator = MatchAccumulator(limit: limit)
            var undecided = UndecidedLines()
            var bytes: Int64 = 0
            for entry in entries where entry.source == source {
                bytes += Int64(entry.line.utf8.count + 1)
                let parsed = parser.parse(entry.line)
                // A line without a timestamp was still read after the last run: it counts.
                let counts = window.map { window in parsed.time.map(window.contains) ?? true } ?? true
                if let repeated = parsed.repeatedCount,
                   accumulator.addRepeat(count: repeated, at: entry.index, host: parsed.host, counts: counts) { continue }
                guard parsed.format != .kmsgContinuation,
                      LogFacilities.accepts(isKernel: parsed.isKernel, facility: parsed.facility, facilities) else { continue }
                if let count = SuppressionNotice.suppressedCount(in: parsed.message) {
                    accumulator.addSuppressionNotice(count: count, at: entry.index, counts: counts)
                } else if undecided.matches(pattern, parsed.message) {
                    accumulator.addMatch(LogMatch(time: parsed.time, source: source, line: nil, text: entry.line),
                                         at: entry.index, counts: counts, host: parsed.host)
                }
            }
            accumulator.finishSource()
            matches += accumulator.recent
            matchedLines += accumulator.matchedLines
            suppressed += accumulator.suppressedOccurrences
            var report = KernelLogSourceReport(name: source, files: [source], bytesRead: bytes,
                                               notes: ["lines read by watch since this playbook's last run"] + (undecided.note.map { [$0] } ?? []))
            if undecided.count > 0 { report.undecidedLines = undecided.count }
            reports.append(report)
        }
        return KernelLogScanResult(matches: Array(matches.suffix(limit)), matchedLines: matchedLines,
                                   suppressedOccurrences: suppressed, window: window, sources: reports)
    }
}
