/// `ratio:` — one host value divided by another, compared with a threshold: the conntrack
/// table's fill level (count / max above 90%) in any kernel era. Thresholds are fractions and
/// may be written as percentages (`90%` = 0.9).
///
/// ```yaml
/// ratio:
///   numerator: {sysctl: [net.netfilter.nf_conntrack_count, net.ipv4.netfilter.ip_conntrack_count]}
///   denominator: {sysctl: [net.netfilter.nf_conntrack_max, net.nf_conntrack_max, net.ipv4.netfilter.ip_conntrack_max]}
///   above: ${usage_threshold}
/// ```
///
/// Thresholds are shares (`ShareText`): a bare number above 1 (`above: 80` for 80%) or a
/// percentage above 100% is an error rather than a warning: a valid playbook's warnings are
/// never shown, and such a threshold would never fire. A count really can exceed max (the
/// CentOS 5 seed shows 36271 / 16640 = 218%); the evidence shows it, thresholds stay 0–100%.
/// A ratio that exceeds 1 by nature is written the other way round: "max above 1.5 × the
/// hash size" is `hashsize / max below 67%`.
public struct RatioPredicate: PredicateKind {
    public static let keyword = "ratio"
    public static let summary = "One host value divided by another (conntrack count / max) compared with a threshold such as 90%."

    public let numerator: ValueSource
    public let denominator: ValueSource
    public let comparison: ValueComparison

    /// `for:`: the comparison must hold across this duration (see `SustainedClause`).
    public let sustained: SustainedClause?

    public init(numerator: ValueSource, denominator: ValueSource, comparison: ValueComparison, sustained: SustainedClause? = nil) {
        self.sustained = sustained
        self.numerator = numerator
        self.denominator = denominator
        self.comparison = comparison
    }

    public static let examples = KindExamples(
        valid: [
            """
            ratio:
              numerator: {sysctl: [net.netfilter.nf_conntrack_count, net.ipv4.netfilter.ip_conntrack_count]}
              denominator: {sysctl: [net.netfilter.nf_conntrack_max, net.nf_conntrack_max, net.ipv4.netfilter.ip_conntrack_max]}
              above: ${usage_threshold}
            """,
            """
            ratio:
              numerator: {sysctl: net.netfilter.nf_conntrack_count}
              denominator: {sysctl: net.netfilter.nf_conntrack_max}
              above: 90%
            """,
            """
            ratio:
              numerator: {meminfo: MemAvailable}
              denominator: {meminfo: MemTotal}
              below: 0.05
            """,
            """
            ratio:
              numerator: {slabinfo: {cache: nf_conntrack, column: active_objs}}
              denominator: {slabinfo: {cache: nf_conntrack, column: num_objs}}
              above: 50%
              below: 95%
            """,
            """
            ratio:
              numerator:
                file: /sys/module/nf_conntrack/parameters/hashsize
              denominator:
                sysctl: net.netfilter.nf_conntrack_max
              below: 67%
            """,
            """
            ratio:
              numerator: {sysctl: net.netfilter.nf_conntrack_count}
              denominator: {sysctl: net.netfilter.nf_conntrack_max}
              above: ${usage_threshold}
              for: 5m
            """,
        ],
        invalid: [
            .init("""
                ratio:
                  denominator: {sysctl: net.netfilter.nf_conntrack_max}
                  above: 90%
                """, at: 2, 3, "missing required key 'numerator'"),
            .init("""
                ratio:
                  numerator: {sysctl: net.netfilter.nf_conntrack_count}
                  denominator: {sysctrl: net.netfilter.nf_conntrack_max}
                  above: 90%
                """, at: 3, 17, "unknown key 'sysctrl' in 'denominator' (did you mean 'sysctl'?)"),
            .init("""
                ratio:
                  numerator: {sysctl: net.netfilter.nf_conntrack_count}
                  denominator: {sysctl: net.netfilter.nf_conntrack_max}
                """, at: 2, 3, "needs a comparison"),
            .init("""
                ratio:
                  numerator: {sysctl: net.netfilter.nf_conntrack_count}
                  denominator: {sysctl: net.netfilter.nf_conntrack_max}
                  above: -0.1
                """, at: 4, 10, "cannot be negative"),
            .init("""
                ratio:
                  numerator: {sysctl: net.netfilter.nf_conntrack_count}
                  denominator: {sysctl: net.netfilter.nf_conntrack_max}
                  above: 900%
                """, at: 4, 10, "above 100%"),
            .init("""
                ratio:
                  numerator: {sysctl: net.netfilter.nf_conntrack_count}
                  denominator: {sysctl: net.netfilter.nf_conntrack_max}
                  above: 80
                """, at: 4, 10, "80 is not a share; write 80% or 0.8"),
            .init("""
                ratio:
                  numerator: {sysctl: net.netfilter.nf_conntrack_count}
                  denominator: {sysctl: net.netfilter.nf_conntrack_max}
                  above: 95%
                  below: 90%
                """, at: 5, 10, "can never hold"),
            .init("""
                ratio:
                  numerator: {sysctl: net.netfilter.nf_conntrack_count}
                  denominator: {sysctl: net.netfilter.nf_conntrack_max}
                  equals: 1
                  above: 90%
                """, at: 4, 3, "'equals' cannot be combined"),
            .init("""
                ratio:
                  numerator: {sysctl: net.netfilter.nf_conntrack_count, meminfo: MemTotal}
                  denominator: {sysctl: net.netfilter.nf_conntrack_max}
                  above: 90%
                """, at: 2, 57, "reads one source"),
            .init("""
                ratio:
                  numerator: {}
                  denominator: {sysctl: net.netfilter.nf_conntrack_max}
                  above: 90%
                """, at: 2, 14, "needs a source"),
            .init("""
                ratio:
                  numerator: {sysctl: net.netfilter.nf_conntrack_count}
                  denominator: {sysctl: net.netfilter.nf_conntrack_max}
                  above: current * 2
                """, at: 4, 10, "unknown name 'current'"),
            .init("""
                ratio:
                  numerator: {sysctl: net.netfilter.nf_conntrack_count}
                  denominator: {sysctl: net.netfilter.nf_conntrack_max}
                  above: 90%
                  for: 0s
                """, at: 5, 8, "for must be longer than zero"),
        ],
        parameters: ["usage_threshold"]
    )

    public static func parse(_ node: YAMLNode, scope: inout ParseScope) -> RatioPredicate? {
        guard let reader = MappingReader(node, "'ratio'", scope: &scope) else { return nil }
        let numerator = reader.required("numerator", scope: &scope)
            .flatMap { ValueSource.parse($0, what: "'numerator'", scope: &scope) }
        let denominator = reader.required("denominator", scope: &scope)
            .flatMap { ValueSource.parse($0, what: "'denominator'", scope: &scope) }
        let comparison = ValueComparison.parse(from: reader, what: "'ratio'", isRatio: true, scope: &scope)
        let sustained = SustainedClause.parse(from: reader, scope: &scope)
        reader.finish(scope: &scope)
        guard let numerator, let denominator, let comparison, let sustained else { return nil }
        return RatioPredicate(numerator: numerator, denominator: denominator, comparison: comparison, sustained: sustained)
    }

    public var summaryLine: String {
        "\(numerator.summaryLine) / \(denominator.summaryLine) \(comparison.summaryLine)" + (sustained?.summarySuffix ?? "")
    }

    /// The summary with parameter values filled in, for results.
    func summaryLine(_ parameters: [String: Double]) -> String {
        "\(numerator.summaryLine) / \(denominator.summaryLine) \(comparison.summaryLine(parameters: parameters))" + (sustained?.summarySuffix ?? "")
    }

    /// A per-namespace numerator (the conntrack count) is divided by the one denominator in
    /// every namespace: `nf_conntrack_max` is global, each namespace's count is compared with it.
    public func evaluate(in context: EvaluationContext) async -> PredicateResult {
        guard let sustained else { return await evaluateOnce(in: context) }
        return await sustained.evaluate(identity: Self.keyword + ": " + summaryLine, in: context) { await self.evaluateOnce(in: $0) }
    }

    /// One evaluation without `for:`: per namespace for a per-namespace source.
    func evaluateOnce(in context: EvaluationContext) async -> PredicateResult {
        let bottom = denominator.read(in: context)
        if let perNamespace = (numerator.kind as? any NamespacedValueSource)?.readPerNamespace(in: context) {
            let parts = perNamespace.map { ($0.namespace, evaluate($0.reading, bottom, in: context)) }
            return PerNamespaceResult.combine(parts, comparison: comparison, kind: Self.keyword, predicate: summaryLine(context.parameters))
        }
        return evaluate(numerator.read(in: context), bottom, in: context)
    }

    func evaluate(_ numeratorRead: Result<Reading, HostReadFailure>, _ denominatorRead: Result<Reading, HostReadFailure>,
                  in context: EvaluationContext) -> PredicateResult {
        let top: Reading, bottom: Reading
        switch (numeratorRead, denominatorRead) {
        case let (.success(n), .success(d)):
            (top, bottom) = (n, d)
        case let (.failure(failure), other):
            let readings = (try? other.get()).map { [$0] } ?? []
            return .unknown(kind: Self.keyword, predicate: summaryLine(context.parameters), "numerator: \(failure.message)", readings: readings)
        case let (.success(n), .failure(failure)):
            return .unknown(kind: Self.keyword, predicate: summaryLine(context.parameters), "denominator: \(failure.message)", readings: [n])
        }
        let topName = numerator.shortName(for: top), bottomName = denominator.shortName(for: bottom)
        let readings = [top, bottom]
        let notes = readings.compactMap(\.note)
        guard bottom.value != 0 else {
            return .unknown(kind: Self.keyword, predicate: summaryLine(context.parameters),
                            "\(topName) / \(bottomName) = \(formatNumber(top.value)) / 0: the ratio is undefined (\(bottomName) is zero in \(bottom.source))",
                            readings: readings)
        }
        let ratio = top.value / bottom.value
        let shown = "\(topName) / \(bottomName) = \(formatNumber(top.value)) / \(formatNumber(bottom.value)) = \(ValueText.percent(ratio))"
        switch comparison.evaluate(ratio, parameters: context.parameters) {
        case .failure(let failure):
            return .unknown(kind: Self.keyword, predicate: summaryLine(context.parameters), "\(shown), but \(failure.message)", readings: readings)
        case .success(let outcome):
            var detail = "\(shown) (\(outcome.text))"
            if !notes.isEmpty { detail += "; " + notes.joined(separator: "; ") }
            var result = PredicateResult(state: outcome.holds ? .holds : .doesNotHold, kind: Self.keyword,
                                   predicate: summaryLine(context.parameters), detail: detail, readings: readings)
            result.threshold = outcome.threshold
            return result
        }
    }
}
