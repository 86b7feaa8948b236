import Foundation

/// `counter:` — how much kernel counters rose over an interval: the sum over CPUs of named
/// columns of a `/proc/net/stat` file (`drop`, `early_drop`, `insert_failed` of
/// `nf_conntrack`), in every network namespace. The kernel counts every dropped packet here;
/// the log line is rate-limited, often unreadable in a container, and for allocation failures
/// usually never written at all.
///
/// ```yaml
/// counter:
///   stat: nf_conntrack
///   columns: [drop, early_drop]
///   over: 10s
///   above: 0
/// ```
public struct CounterPredicate: PredicateKind {
    public static let keyword = "counter"
    public static let summary = "How much per-CPU kernel counters of a /proc/net/stat file (conntrack drop, early_drop, insert_failed…) rose over an interval, in every network namespace, compared with a threshold."

    /// The interval between the two samples of `check` and `run`.
    public static let overRange: ClosedRange<Duration> = .seconds(1) ... .seconds(600)
    public static let defaultOver: Duration = .seconds(10)

    /// The stat file by name, with alternatives across kernel eras (the first present wins).
    public let stats: [String]
    public let columns: [String]
    public let over: DurationValue
    /// Compare the rate per second instead of the increase.
    public let perSecond: Bool
    public let comparison: ValueComparison
    /// `usage:` — in the same namespace, `entries` / `nf_conntrack_max` at the later sample
    /// must also compare so: "drops while the table is full" (`above: 90%`) or "drops while it
    /// is not" (`below: 50%`, a failed allocation). Only for a file with an `entries` column.
    public let usage: ValueComparison?
    public let sustained: SustainedClause?

    /// Where the global limit is read, across kernel eras (one limit for every namespace).
    public static let maxKeys = ["net.netfilter.nf_conntrack_max", "net.nf_conntrack_max",
                                 "net.ipv4.netfilter.ip_conntrack_max", "net.ipv4.ip_conntrack_max"]

    public init(stats: [String], columns: [String], over: DurationValue = .constant(defaultOver), perSecond: Bool = false,
                comparison: ValueComparison, usage: ValueComparison? = nil, sustained: SustainedClause? = nil) {
        self.usage = usage
        self.stats = stats
        self.columns = columns
        self.over = over
        self.perSecond = perSecond
        self.comparison = comparison
        self.sustained = sustained
    }

    public static let examples = KindExamples(
        valid: [
            "counter:\n  stat: nf_conntrack\n  columns: [drop, early_drop]\n  over: 10s\n  above: 0\n",
            "counter:\n  stat: [nf_conntrack, ip_conntrack]\n  columns: [drop, early_drop]\n  above: 0\n",
            "counter:\n  stat: nf_conntrack\n  columns: insert_failed\n  above: ${tolerated_failures}\n",
            "counter:\n  stat: nf_conntrack\n  columns: [drop]\n  over: 30s\n  per: second\n  above: 5\n  for: 2m\n",
            "counter:\n  stat: arp_cache\n  columns: [table_fulls]\n  over: ${sample_window}\n  above: 0\n",
            "not:\n  counter:\n    stat: nf_conntrack\n    columns: [drop, early_drop]\n    above: 0\n",
            "counter:\n  stat: nf_conntrack\n  columns: [drop, early_drop]\n  over: 5s\n  above: 0\n  usage: {above: 90%}\n",
            "counter:\n  stat: nf_conntrack\n  columns: drop\n  above: 0\n  usage:\n    below: ${busy_share}\n",
        ],
        invalid: [
            .init("counter:\n  columns: [drop]\n  above: 0\n", at: 2, 3, "missing required key 'stat'"),
            .init("counter:\n  stat: ../../etc/shadow\n  columns: [drop]\n  above: 0\n", at: 2, 9, "the name of a file in /proc/net/stat"),
            .init("counter:\n  stat: nf_conntrack\n  columns: [entries]\n  above: 0\n", at: 3, 13, "'entries' is a gauge"),
            .init("counter:\n  stat: nf_conntrack\n  columns: [drop, drop]\n  above: 0\n", at: 3, 19, "listed twice"),
            .init("counter:\n  stat: nf_conntrack\n  columns: [Drop]\n  above: 0\n", at: 3, 13, "lowercase"),
            .init("counter:\n  stat: nf_conntrack\n  columns: []\n  above: 0\n", at: 3, 12, "must not be an empty list"),
            .init("counter:\n  stat: nf_conntrack\n  columns: [drop]\n  over: 0s\n  above: 0\n", at: 4, 9, "longer than zero"),
            .init("counter:\n  stat: nf_conntrack\n  columns: [drop]\n  over: 1h\n  above: 0\n", at: 4, 9, "between 1s and 10m"),
            .init("counter:\n  stat: nf_conntrack\n  columns: [drop]\n  per: minute\n  above: 0\n", at: 4, 8, "per must be 'second'"),
            .init("counter:\n  stat: nf_conntrack\n  columns: [drop]\n", at: 2, 3, "needs a comparison"),
            .init("counter:\n  stat: nf_conntrack\n  colums: [drop]\n  above: 0\n", at: 3, 3, "unknown key 'colums' in 'counter' (did you mean 'columns'?)"),
            .init("counter:\n  stat: nf_conntrack\n  columns: [drop]\n  above: 0\n  usage: {above: 900%}\n", at: 5, 18, "above 100%"),
            .init("counter:\n  stat: nf_conntrack\n  columns: [drop]\n  above: 0\n  usage: {}\n", at: 5, 10, "'usage' needs a comparison"),
        ],
        parameters: ["tolerated_failures", "sample_window", "busy_share"]
    )

    static let namePattern = "^[a-z0-9_]{1,32}$"

    public static func parse(_ node: YAMLNode, scope: inout ParseScope) -> CounterPredicate? {
        guard let reader = MappingReader(node, "'counter'", scope: &scope) else { return nil }
        var ok = true
        var stats: [String]?
        if let statNode = reader.required("stat", scope: &scope), let names = scope.stringList(statNode, "stat") {
            stats = names
            for (index, text) in names.enumerated() where !CompiledPattern.ownPatternMatches(namePattern, text) || names.firstIndex(of: text) != index {
                let place = if case .sequence(let items) = statNode.value, index < items.count { items[index] } else { statNode }
                scope.error(place, names.firstIndex(of: text) != index ? "stat '\(text)' is listed twice"
                            : "stat must be the name of a file in /proc/net/stat (such as nf_conntrack), found '\(Parameter.shown(text))'")
                ok = false
            }
        }
        var columns: [String] = []
        if let columnsNode = reader.required("columns", scope: &scope) {
            let items: [YAMLNode] = if case .sequence(let list) = columnsNode.value { list } else { [columnsNode] }
            if items.isEmpty { scope.error(columnsNode, "columns must not be an empty list"); ok = false }
            for item in items {
                guard let name = scope.nonEmptyString(item, "each entry of columns") else { ok = false; continue }
                if !CompiledPattern.ownPatternMatches(namePattern, name) {
                    scope.error(item, "a column is a lowercase name from the file's header (drop, early_drop, insert_failed…), found '\(Parameter.shown(name))'")
                    ok = false
                } else if KernelStatTable.gauges.contains(name) {
                    scope.error(item, "'\(name)' is a gauge (the current count), not a counter; read the count with value: or ratio:")
                    ok = false
                } else if columns.contains(name) {
                    scope.error(item, "column '\(name)' is listed twice (it would be counted twice)")
                    ok = false
                } else {
                    columns.append(name)
                }
            }
        }
        var over = DurationValue.constant(defaultOver)
        if let overNode = reader.optional("over") {
            if let value = scope.durationValue(overNode, "over", within: overRange) { over = value } else { ok = false }
        }
        var perSecond = false
        if let perNode = reader.optional("per") {
            if perNode.scalar == "second" { perSecond = true } else {
                scope.error(perNode, "per must be 'second' (compare the rate per second), found \(perNode.kindDescription)")
                ok = false
            }
        }
        let comparison = ValueComparison.parse(from: reader, what: "'counter'", isRatio: false, scope: &scope)
        var usage: ValueComparison?
        if let usageNode = reader.optional("usage") {
            if let usageReader = MappingReader(usageNode, "'usage'", scope: &scope) {
                usage = ValueComparison.parse(from: usageReader, what: "'usage'", isRatio: true, scope: &scope)
                if usage?.equals != nil, let node = usageReader.keyNode("equals") {
                    scope.error(node, "'usage' takes above and/or below (a share of nf_conntrack_max such as 90%)")
                    ok = false
                }
                usageReader.finish(scope: &scope)
            }
            if usage == nil { ok = false }
        }
        let sustained = SustainedClause.parse(from: reader, scope: &scope)
        reader.finish(scope: &scope)
        guard ok, let stats, let comparison, let sustained else { return nil }
        return CounterPredicate(stats: stats, columns: columns, over: over, perSecond: perSecond, comparison: comparison, usage: usage, sustained: sustained)
    }

    var columnsText: String { columns.joined(separator: "+") }

    public var summaryLine: String { summaryLine(comparison.summaryLine) }

    func summaryLine(_ comparisonText: String, usageText: String? = nil) -> String {
        "/proc/net/stat/\(stats.joined(separator: "|")) \(columnsText) \(perSecond ? "per second" : "increase") over \(over) \(comparisonText)"
            + (usage.map { " while entries / max \(usageText ?? $0.summaryLine)" } ?? "") + (sustained?.summarySuffix ?? "")
    }

    public func evaluate(in context: EvaluationContext) async -> PredicateResult {
        guard let sustained else { return await evaluateOnce(in: context) }
        return await sustained.evaluate(identity: Self.keyword + ": " + summaryLine, in: context) { await self.evaluateOnce(in: $0) }
    }
}
