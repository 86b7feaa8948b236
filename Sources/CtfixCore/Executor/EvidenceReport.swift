/// The evidence block printed before a plan.
enum EvidenceReport {
    static func text(_ report: RunReport) -> StyledText {
        guard let evidence = report.evidence else { return StyledText() }
        let verdict = switch evidence.state {
        case .holds: "FIRING"
        case .doesNotHold: "not firing"
        case .unknown: "could not evaluate"
        }
        return "\(report.name) on \(report.host): detection \(verdict, TerminalStyle.Role(evidence.state))\n\(EvidenceText.render(evidence, indent: "  "))"
    }
}
