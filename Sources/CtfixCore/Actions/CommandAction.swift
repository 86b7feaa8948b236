/// STUB — to be replaced.
public struct CommandAction: ActionKind {
    public static let keyword = "command"
    public static let summary = "stub"
    public static let minimumRisk = RiskClass.safe
    public static let examples = KindExamples(valid: [])
    public static func parse(_ node: YAMLNode, scope: inout ParseScope) -> Self? { Self() }
    public var summaryLine: String { "command" }
}
