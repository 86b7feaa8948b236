/// STUB — to be replaced.
public struct DropCachesAction: ActionKind {
    public static let keyword = "drop_caches"
    public static let summary = "stub"
    public static let minimumRisk = RiskClass.disruptive
    public static let examples = KindExamples(valid: [])
    public static func parse(_ node: YAMLNode, scope: inout ParseScope) -> Self? { Self() }
    public var summaryLine: String { "drop_caches" }
}
