/// Counts matching lines and the rate-limiter notices around them, keeping the most recent
/// matches as evidence.
///
/// A notice (`printk: 49 messages suppressed.`) stands for N more occurrences. It is
/// attributed to the nearest matching line: the next matching line within
/// `attributionDistance` lines if there is one, else the previous matching line within that
/// distance; a notice with no matching line that close is about something else and ignored.
/// Lines arrive in order with their index (line number or record number), so the whole
/// attribution is streaming: memory stays at `limit` matches whatever the log size.
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

    private var lastMatch: (serial: Int, index: Int)?
    private var pending: [(count: Int, index: Int, previousSerial: Int?)] = []

    init(limit: Int) {
        self.limit = max(limit, 0)
    }

    var total: Int { matchedLines + suppressedOccurrences }

    mutating func addMatch(_ match: LogMatch, at index: Int) {
        resolvePending(before: index)
        let serial = matchedLines
        matchedLines += 1
        if limit > 0 {
            if recent.count == limit {
                recent.removeFirst()
                recentSerials.removeFirst()
            }
            recent.append(match)
            recentSerials.append(serial)
        }
        // Every notice still pending is within reach (older ones were resolved above).
        for notice in pending { attribute(notice.count, to: serial) }
        pending.removeAll()
        lastMatch = (serial, index)
    }

    mutating func addSuppressionNotice(count: Int, at index: Int) {
        resolvePending(before: index)
        var previous: Int?
        if let lastMatch, index - lastMatch.index <= Self.attributionDistance { previous = lastMatch.serial }
        pending.append((count, index, previous))
    }

    /// Ends one source (a file, `.1` before the current file, a journal): a notice never
    /// reaches into another file.
    mutating func finishSource() {
        for notice in pending { settle(notice) }
        pending.removeAll()
        lastMatch = nil
    }

    /// Notices further than the distance from `index` can no longer meet a next match.
    private mutating func resolvePending(before index: Int) {
        guard !pending.isEmpty else { return }
        var kept: [(count: Int, index: Int, previousSerial: Int?)] = []
        for notice in pending {
            if index - notice.index > Self.attributionDistance { settle(notice) } else { kept.append(notice) }
        }
        pending = kept
    }

    private mutating func settle(_ notice: (count: Int, index: Int, previousSerial: Int?)) {
        if let serial = notice.previousSerial { attribute(notice.count, to: serial) } else { ignoredNotices += 1 }
    }

    private mutating func attribute(_ count: Int, to serial: Int) {
        suppressedOccurrences += count
        if let position = recentSerials.lastIndex(of: serial) { recent[position].suppressed += count }
    }
}
