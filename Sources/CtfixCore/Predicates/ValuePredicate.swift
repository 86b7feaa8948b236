/// `value:` — one number read from the host compared with a threshold: the conntrack count, a
/// timeout, `MemAvailable`, the conntrack slab object size. The source is one key of the
/// mapping (see `ValueSource`), the comparison is `above` / `below` / `equals`.
///
/// ```yaml
/// value:
///   sysctl: [net.netfilter.nf_conntrack_count, net.ipv4.netfilter.ip_conntrack_count]
///   above: 100000
/// ```
public struct ValuePredicate: PredicateKind {
    public static let keyword = "value"
    public static let summary = "A number read from the host (sysctl key, procfs/sysfs file, /proc/meminfo field, /proc/slabinfo column) compared with a threshold."

    public let source: ValueSource
    public let comparison: ValueComparison
    /// `for:`: the comparison must hold across this duration (see `SustainedClause`).
    public let sustained: SustainedClause?

    public init(source: ValueSource, comparison: ValueComparison, sustained: SustainedClause? = nil) {
        self.source = source
        self.comparison = comparison
        self.sustained = sustained
    }

    public static let examples = KindExamples(
        valid: [
            """
            value:
              sysctl: [net.netfilter.nf_conntrack_count, net.ipv4.netfilter.ip_conntrack_count]
              above: 100000
            """,
            """
            value:
              meminfo: MemAvailable
              below: ${min_available}
            """,
            """
            value:
              slabinfo: {cache: [nf_conntrack, ip_conntrack], column: objsize}
              above: 256
              below: 1024
            """,
            """
            value:
              file: /sys/module/nf_conntrack/parameters/hashsize
              below: 65536
            """,
            """
            value:
              file: /proc/sys/net/ipv4/ip_local_port_range
              field: 2
              equals: 60999
            """,
            """
            value:
              sysctl: net/netfilter/nf_conntrack_tcp_timeout_established
              above: 86400
            """,
            """
            value:
              meminfo: MemAvailable
              below: 512MiB
              for: 5m
            """,
            """
            value:
              sysctl: net.netfilter.nf_conntrack_count
              above: ${threshold}
              for: ${sustain}
            """,
        ],
        invalid: [
            .init("""
                value:
                  above: 100000
                """, at: 2, 3, "needs a source"),
            .init("""
                value:
                  sysctrl: net.netfilter.nf_conntrack_count
                  above: 100000
                """, at: 2, 3, "unknown key 'sysctrl' in 'value' (did you mean 'sysctl'?)"),
            .init("""
                value:
                  sysctl: net.netfilter.nf_conntrack_count
                  meminfo: MemAvailable
                  above: 1
                """, at: 3, 3, "reads one source; found both 'sysctl' and 'meminfo'"),
            .init("""
                value:
                  sysctl: net.netfilter.nf_conntrack_count
                """, at: 2, 3, "needs a comparison"),
            .init("""
                value:
                  sysctl: net.netfilter.nf_conntrack_count
                  above: 10
                  equals: 5
                """, at: 4, 3, "'equals' cannot be combined"),
            .init("""
                value:
                  meminfo: MemAvailable
                  above: 2GiB
                  below: 1GiB
                """, at: 4, 10, "can never hold"),
            .init("""
                value:
                  sysctl: [net.netfilter.nf_conntrack_count, ../../etc/shadow]
                  above: 1
                """, at: 2, 46, "not a valid sysctl key"),
            .init("""
                value:
                  file: /home/user/number
                  above: 1
                """, at: 2, 9, "'file' must be under /proc"),
            .init("""
                value:
                  meminfo: MemAvailabel
                  below: 1GiB
                """, at: 2, 12, "did you mean 'MemAvailable'?"),
            .init("""
                value:
                  slabinfo: {cache: nf_conntrack, column: size}
                  above: 300
                """, at: 2, 43, "unknown slabinfo column 'size'"),
            .init("""
                value:
                  sysctl: net.netfilter.nf_conntrack_count
                  above: ${treshold}
                """, at: 3, 10, "undeclared parameter 'treshold'"),
            .init("""
                value:
                  sysctl: net.netfilter.nf_conntrack_count
                  field: 2
                  above: 1
                """, at: 3, 3, "'field' only applies to 'file:'"),
            .init("""
                value:
                  meminfo: MemAvailable
                  below: 512MiB
                  for: 2d
                """, at: 4, 8, "for must be between 1s and 1d"),
            .init("""
                value:
                  meminfo: MemAvailable
                  below: 512MiB
                  for: ${sustian}
                """, at: 4, 8, "undeclared parameter 'sustian' (did you mean 'sustain'?)"),
        ],
        parameters: ["min_available", "threshold", "sustain"]
    )

    public static func parse(_ node: YAMLNode, scope: inout ParseScope) -> ValuePredicate? {
        guard let reader = MappingReader(node, "'value'", scope: &scope) else { return nil }
        let source = ValueSource.parse(from: reader, what: "'value'", otherKeys: ValueComparison.keys + [SustainedClause.key], scope: &scope)
        let comparison = ValueComparison.parse(from: reader, what: "'value'", isRatio: false, scope: &scope)
        let sustained = SustainedClause.parse(from: reader, scope: &scope)
        reader.finish(scope: &scope)
        guard let source, let comparison, let sustained else { return nil }
        return ValuePredicate(source: source, comparison: comparison, sustained: sustained)
    }

    public var summaryLine: String { "\(source.summaryLine) \(comparison.summaryLine)" + (sustained?.summarySuffix ?? "") }

    /// The summary with parameter values filled in, for results.
    func summaryLine(_ parameters: [String: Double]) -> String {
        "\(source.summaryLine) \(comparison.summaryLine(parameters: parameters))" + (sustained?.summarySuffix ?? "")
    }

    /// Per-namespace sources (the conntrack count) are compared in every namespace; see
    /// `PerNamespaceResult` for how the answers combine.
    public func evaluate(in context: EvaluationContext) async -> PredicateResult {
        guard let sustained else { return await evaluateOnce(in: context) }
        return await sustained.evaluate(identity: Self.keyword + ": " + summaryLine, in: context) { await self.evaluateOnce(in: $0) }
    }

    /// One evaluation without `for:`: per namespace for a per-namespace source.
    func evaluateOnce(in context: EvaluationContext) async -> PredicateResult {
        if let perNamespace = (source.kind as? any NamespacedValueSource)?.readPerNamespace(in: context) {
            let parts = perNamespace.map { ($0.namespace, evaluate($0.reading, in: context)) }
            return PerNamespaceResult.combine(parts, comparison: comparison, kind: Self.keyword, predicate: summaryLine(context.parameters))
        }
        return evaluate(source.read(in: context), in: context)
    }

    func evaluate(_ read: Result<Reading, HostReadFailure>, in context: EvaluationContext) -> PredicateResult {
        let reading: Reading
        switch read {
        case .success(let value): reading = value
        case .failure(let failure): return .unknown(kind: Self.keyword, predicate: summaryLine(context.parameters), failure.message)
        }
        let name = source.shortName(for: reading)
        let shown = "\(name) = \(ValueText.of(reading.value, unit: reading.unit))"
        switch comparison.evaluate(reading.value, parameters: context.parameters) {
        case .failure(let failure):
            return .unknown(kind: Self.keyword, predicate: summaryLine(context.parameters), "\(shown), but \(failure.message)", readings: [reading])
        case .success(let outcome):
            var detail = "\(shown) (\(outcome.text))"
            if let note = reading.note { detail += "; \(note)" }
            var result = PredicateResult(state: outcome.holds ? .holds : .doesNotHold, kind: Self.keyword,
                                   predicate: summaryLine(context.parameters), detail: detail, readings: [reading])
            result.threshold = outcome.threshold
            return result
        }
    }
}
