/// The evidence block printed before a plan.
enum EvidenceReport {
    static func text(_ report: RunReport) -> String {
        guard let evidence = report.evidence else { return "" }
        let verdict = switch evidence.state {
        case .holds: "FIRING"
        case .doesNotHold: "not firing"
        case .unknown: "could not evaluate"
        }
        return "\(report.name) on \(report.host): detection \(verdict)\n" + EvidenceText.render(evidence, indent: "  ")
    }
}
