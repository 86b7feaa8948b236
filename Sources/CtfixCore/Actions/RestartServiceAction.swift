/// STUB — to be replaced.
public struct RestartServiceAction: ActionKind {
    public static let keyword = "restart_service"
    public static let summary = "stub"
    public static let minimumRisk = RiskClass.disruptive
    public static let examples = KindExamples(valid: [])
    public static func parse(_ node: YAMLNode, scope: inout ParseScope) -> Self? { Self() }
    public var summaryLine: String { "restart_service" }
}
