/// Counts matching lines and the rate-limiter notices around them, keeping the most recent
/// matches as evidence.
///
/// A notice (`printk: 49 messages suppressed.`) stands for N more occurrences. It is
/// attributed to the nearest matching line: the next matching line within
/// `attributionDistance` lines if there is one, else the previous matching line within that
/// distance; a notice with no matching line that close is about something else and ignored.
/// Lines arrive in order with their index (line number or record number), so the whole
/// attribution is streaming: memory stays at `limit` matches whatever the log size.
///
/// Lines just outside the window still take part in attribution but are not counted: a notice
/// inside the window whose printed line came just before it stands for occurrences inside the
/// window; a notice outside the window counts for nothing.
struct MatchAccumulator {
    static let attributionDistance = 3

    let limit: Int
    /// The most recent matches, oldest first.
    private(set) var recent: [LogMatch] = []
    private var recentSerials: [Int] = []
    private(set) var matchedLines = 0
    private(set) var suppressedOccurrences = 0
    /// Notices that attributed nothing (no matching line near enough).
    private(set) var ignoredNotices = 0

    private var nextSerial = 0
    private var lastMatch: (serial: Int, index: Int)?
    /// The line a repeat line may repeat: the last match, if it was the line just before (or
    /// was itself repeated by the line just before), with its host.
    private var repeatable: (serial: Int, index: Int, host: String?)?
    private var pending: [Notice] = []

    private struct Notice {
        var count: Int
        var index: Int
        var previousSerial: Int?
        var counts: Bool
    }

    init(limit: Int) {
        self.limit = max(limit, 0)
    }

    var total: Int { matchedLines + suppressedOccurrences }

    /// A matching line; `counts` is false for one outside the window.
    mutating func addMatch(_ match: LogMatch, at index: Int, counts: Bool = true, host: String? = nil) {
        defer { repeatable = (lastMatch!.serial, index, host) }
        resolvePending(before: index)
        let serial = nextSerial
        nextSerial += 1
        if counts { matchedLines += 1 }
        if counts, limit > 0 {
            if recent.count == limit {
                recent.removeFirst()
                recentSerials.removeFirst()
            }
            recent.append(match)
            recentSerials.append(serial)
        }
        // Every notice still pending is within reach (older ones were resolved above).
        for notice in pending { attribute(notice, to: serial) }
        pending.removeAll()
        lastMatch = (serial, index)
    }

    /// A rate-limiter notice; `counts` is false for one outside the window.
    mutating func addSuppressionNotice(count: Int, at index: Int, counts: Bool = true) {
        resolvePending(before: index)
        var previous: Int?
        if let lastMatch, index - lastMatch.index <= Self.attributionDistance { previous = lastMatch.serial }
        pending.append(Notice(count: count, index: index, previousSerial: previous, counts: counts))
    }

    /// A syslog daemon's repeat line (`last message repeated N times`): N more occurrences of
    /// the line just before it, when that line was a kernel line that matched (or a repeat of
    /// one) from the same host. The daemon writes the repeat line right before the next
    /// different message of the same file, so "just before" is exact; anything else in between
    /// (another line, another host's line) means it repeats something else, and it counts for
    /// nothing. `counts` is the repeat line's own window membership.
    /// Returns false when it repeats nothing counted here (the line is then judged like any other).
    @discardableResult
    mutating func addRepeat(count: Int, at index: Int, host: String?, counts: Bool = true) -> Bool {
        guard let previous = repeatable, previous.index == index - 1, previous.host == host else {
            repeatable = nil
            return false
        }
        repeatable = (previous.serial, index, host)
        attribute(Notice(count: count, index: index, previousSerial: previous.serial, counts: counts), to: previous.serial)
        return true
    }

    /// Ends one source (a file, `.1` before the current file, a journal): a notice never
    /// reaches into another file.
    mutating func finishSource() {
        for notice in pending { settle(notice) }
        pending.removeAll()
        lastMatch = nil
        repeatable = nil
    }

    /// Notices further than the distance from `index` can no longer meet a next match.
    private mutating func resolvePending(before index: Int) {
        guard !pending.isEmpty else { return }
        var kept: [Notice] = []
        for notice in pending {
            if index - notice.index > Self.attributionDistance { settle(notice) } else { kept.append(notice) }
        }
        pending = kept
    }

    private mutating func settle(_ notice: Notice) {
        if let serial = notice.previousSerial { attribute(notice, to: serial) } else if notice.counts { ignoredNotices += 1 }
    }

    private mutating func attribute(_ notice: Notice, to serial: Int) {
        guard notice.counts else { return }
        suppressedOccurrences += notice.count
        if let position = recentSerials.lastIndex(of: serial) { recent[position].suppressed += notice.count }
    }
}
