import Foundation

/// What one predicate found: whether it held, and the evidence — the values read and the log
/// lines matched — so an on-call engineer can check the conclusion with their own eyes.
public struct PredicateResult: Sendable, Codable, Equatable {
    public enum State: String, Sendable, Codable {
        case holds
        case doesNotHold = "does_not_hold"
        /// Could not be evaluated (file missing, permission denied, no log source).
        case unknown
    }

    public var state: State
    /// The predicate's kind (`log`, `value`, `ratio`, `all`, `any`, `not`).
    public var kind: String
    /// The predicate as a one-line description.
    public var predicate: String
    /// What was found, in a sentence ("36271 / 16640 = 218% (above 90%)").
    public var detail: String
    /// Values read from the host, in the order read.
    public var readings: [Reading]
    /// Log lines that matched (the most recent ones when there are many).
    public var matches: [LogMatch]
    /// For log predicates: the count that was compared with `min_count` (matched lines plus
    /// suppressed occurrences attributed to them).
    public var count: Int?
    /// Sub-results of `all` / `any` / `not`.
    public var children: [PredicateResult]
    /// The threshold the value was compared with (for `value`/`ratio`), for perfdata.
    public var threshold: Double?
    /// Non-initial network namespaces this result names as in trouble: those whose own count
    /// made a per-namespace `value`/`ratio` hold, or that a matched log line names ("table
    /// full in netns 4026532177"). Actions with per-namespace keys apply there too. Nil: none.
    public var namespaces: [UInt64]?

    public init(state: State, kind: String, predicate: String, detail: String,
                readings: [Reading] = [], matches: [LogMatch] = [], count: Int? = nil,
                children: [PredicateResult] = []) {
        self.state = state
        self.kind = kind
        self.predicate = predicate
        self.detail = detail
        self.readings = readings
        self.matches = matches
        self.count = count
        self.children = children
    }

    /// The namespaces this result and its children name, each once, in order of first mention.
    public var namedNamespaces: [UInt64] {
        var seen: [UInt64] = []
        for id in (namespaces ?? []) + children.flatMap(\.namedNamespaces) where !seen.contains(id) { seen.append(id) }
        return seen
    }

    /// An unknown result carrying the reason.
    public static func unknown(kind: String, predicate: String, _ reason: String, readings: [Reading] = []) -> PredicateResult {
        PredicateResult(state: .unknown, kind: kind, predicate: predicate, detail: reason, readings: readings)
    }
}

/// One value read from the host.
public struct Reading: Sendable, Codable, Equatable {
    /// What it is (`net.netfilter.nf_conntrack_max`, `MemAvailable`, `nf_conntrack objsize`).
    public var name: String
    /// Where it was read (`/proc/sys/net/netfilter/nf_conntrack_max`).
    public var source: String
    public var value: Double
    /// Unit for display (`bytes`, `entries`, `seconds`, or empty).
    public var unit: String
    /// Anything the reader had to assume ("estimated: no MemAvailable before Linux 3.14").
    public var note: String?

    public init(name: String, source: String, value: Double, unit: String = "", note: String? = nil) {
        self.name = name
        self.source = source
        self.value = value
        self.unit = unit
        self.note = note
    }
}

/// One matching kernel-log line.
public struct LogMatch: Sendable, Codable, Equatable {
    /// When it was logged, if the line says (dmesg without timestamps does not).
    public var time: Date?
    /// The source it came from (`/var/log/messages`, `journald`, `/dev/kmsg`).
    public var source: String
    /// 1-based line number in a file source, when known.
    public var line: Int?
    /// The line as it was in the log.
    public var text: String
    /// Occurrences the kernel rate limiter suppressed and that were attributed to this line.
    public var suppressed: Int

    public init(time: Date?, source: String, line: Int?, text: String, suppressed: Int = 0) {
        self.time = time
        self.source = source
        self.line = line
        self.text = text
        self.suppressed = suppressed
    }
}
