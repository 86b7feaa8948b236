/// The end of a run's text output, like Ansible's PLAY RECAP: every action and what became of
/// it, the counts, then the outcome, the run id and where the audit record is. Whatever
/// scrolled by (a plan, prompts, a countdown), the last lines say what the host was left with.
///
///     RECAP table-full on web-3 (interactive)
///       1. raise-max     [safe]        applied      net.netfilter.nf_conntrack_max 65536 → 262144
///       2. restart-kube  [disruptive]  simulated    the root is not this machine: not executed
///       3. reboot        [destructive] declined
///     3 actions: 1 applied, 1 simulated, 1 declined
///     outcome: partial (run 20241108T085510Z-1a2b3c4d, audit log /var/log/ctfix/audit.jsonl)
public enum RunRecap {
    /// The recap of `report`; only the outcome line when the run never got to a plan.
    public static func text(_ report: RunReport) -> StyledText {
        var text = StyledText()
        if !report.actions.isEmpty {
            text += "\n\("RECAP", .heading) \(report.name) on \(report.host) (\(report.mode))\n"
            let nameWidth = min(32, report.actions.map(\.name.count).max() ?? 0)
            for (index, action) in report.actions.enumerated() {
                let label = label(action.status)
                let risk = "[\(action.risk.rawValue)]"
                text += "  \(index + 1). \(pad(TerminalText.escape(action.name), nameWidth)) "
                text += StyledText(risk, TerminalStyle.Role(action.risk)) + StyledText(String(repeating: " ", count: 14 - risk.count))
                text += StyledText(label, TerminalStyle.Role(action.status))
                if let detail = detail(action) {
                    text += "\(String(repeating: " ", count: max(1, 13 - label.count)))\(TerminalText.content(detail))"
                }
                text += "\n"
            }
            text += counts(report.actions) + "\n"
        }
        return text + outcomeLine(report)
    }

    /// "outcome: remediated (run ID, audit log PATH)", the outcome in its colour; the last line
    /// of every `ctfix run`, the one a script or a person greps for.
    public static func outcomeLine(_ report: RunReport) -> StyledText {
        let where_ = report.auditLog.map { ", audit log \($0)" } ?? ", not audited"
        return "outcome: \(report.outcome.rawValue, TerminalStyle.Role(report.outcome)) (run \(report.runID)\(where_))"
    }

    /// What became of an action, in words: "applied", "no change", "rolled back", "planned".
    public static func label(_ status: ActionReport.Status) -> String {
        status.rawValue.replacingASCII("_", with: " ")
    }

    /// "3 actions: 1 applied, 1 declined, 1 not run" (in plan order of first appearance).
    static func counts(_ actions: [ActionReport]) -> StyledText {
        var order: [ActionReport.Status] = []
        var count: [ActionReport.Status: Int] = [:]
        for action in actions {
            if count[action.status] == nil { order.append(action.status) }
            count[action.status, default: 0] += 1
        }
        var text: StyledText = "\(actions.count) action\(actions.count == 1 ? "" : "s"): "
        for (index, status) in order.enumerated() {
            if index > 0 { text += ", " }
            text += StyledText("\(count[status] ?? 0) \(label(status))", TerminalStyle.Role(status))
        }
        return text
    }

    /// One short fact after the label: the value change, the failure, why it was not run.
    static func detail(_ action: ActionReport) -> String? {
        switch action.status {
        case .failed, .skipped, .refused, .noChange, .notRun:
            return action.reason.map { String($0.prefix(100)) }
        case .simulated:
            return "the root is not this machine: not executed"
        case .planned where action.steps.contains(where: \.simulated):
            // A dry-run under --root: the program or reboot would not run on a real run either.
            return "would be " + RunReport.simulatedReason
        default:
            guard let before = action.before, let after = action.after else { return nil }
            let name = action.steps.first.map { Self.valueName($0.step) } ?? ""
            return "\(name) \(before) → \(after)"
        }
    }

    static func valueName(_ step: PlannedStep) -> String {
        if case .setValue(_, let name, _, _) = step { return name }
        return ""
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
