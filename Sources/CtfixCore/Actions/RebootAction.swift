/// STUB — to be replaced.
public struct RebootAction: ActionKind {
    public static let keyword = "reboot"
    public static let summary = "stub"
    public static let minimumRisk = RiskClass.destructive
    public static let examples = KindExamples(valid: [])
    public static func parse(_ node: YAMLNode, scope: inout ParseScope) -> Self? { Self() }
    public var summaryLine: String { "reboot" }
}
