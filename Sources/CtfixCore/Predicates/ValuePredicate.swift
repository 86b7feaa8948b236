/// STUB — to be replaced.
public struct ValuePredicate: PredicateKind {
    public static let keyword = "value"
    public static let summary = "stub"
    public static let examples = KindExamples(valid: [])
    public static func parse(_ node: YAMLNode, scope: inout ParseScope) -> Self? { Self() }
    public var summaryLine: String { "value" }
    public func evaluate(in context: EvaluationContext) async -> PredicateResult {
        .unknown(kind: Self.keyword, predicate: summaryLine, "not implemented")
    }
}
