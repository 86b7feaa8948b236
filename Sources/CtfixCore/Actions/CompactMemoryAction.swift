/// STUB — to be replaced.
public struct CompactMemoryAction: ActionKind {
    public static let keyword = "compact_memory"
    public static let summary = "stub"
    public static let minimumRisk = RiskClass.disruptive
    public static let examples = KindExamples(valid: [])
    public static func parse(_ node: YAMLNode, scope: inout ParseScope) -> Self? { Self() }
    public var summaryLine: String { "compact_memory" }
}
