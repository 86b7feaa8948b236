import Foundation

/// Everything a run did, as `ctfix run --json` prints it (stable snake_case field names) and as
/// the text report renders it.
public struct RunReport: Codable, Sendable {
    public var runID: String
    public var playbook: String
    public var name: String
    public var sha256: String
    public var host: String
    public var mode: String
    public var trigger: String
    public var outcome: RunOutcome
    public var firing: Bool
    public var forced: Bool
    public var evidence: PredicateResult?
    public var actions: [ActionReport]
    public var verification: PredicateResult?
    /// Sentences for the operator: refusals, warnings, the final state.
    public var messages: [String]
    public var auditLog: String?

    enum CodingKeys: String, CodingKey {
        case runID = "run_id", playbook, name, sha256, host, mode, trigger, outcome, firing, forced, evidence
        case actions, verification, messages, auditLog = "audit_log"
    }
}

/// One action in a run.
public struct ActionReport: Codable, Sendable {
    public enum Status: String, Codable, Sendable {
        case planned, applied, noChange = "no_change", skipped, refused, declined, failed
        case rolledBack = "rolled_back", notRun = "not_run"
        /// It would run a program or reboot, and the root is not this machine: shown and
        /// audited, never executed.
        case simulated
    }

    public var name: String
    public var kind: String
    public var risk: RiskClass
    public var explain: String
    public var status: Status
    /// The first value step's before → after, for one-glance reading; all steps are in `steps`.
    public var before: String?
    public var after: String?
    public var steps: [StepReport]
    public var reason: String?
    public var notes: [String]

    init(_ action: PlaybookAction, plan: ActionPlan) {
        name = action.name
        kind = type(of: action.kind).keyword
        risk = action.risk
        explain = action.explain
        reason = plan.reason
        notes = plan.notes
        steps = plan.steps.map { StepReport($0) }
        status = switch plan.status {
        case .ready: .planned
        case .noChange: .noChange
        case .refused: .refused
        case .skipped: .skipped
        }
        if case .setValue(_, _, let before, let after)? = plan.steps.first {
            self.before = before
            self.after = after
        }
    }
}

/// One step of an action.
public struct StepReport: Codable, Sendable, Equatable {
    public var summary: String
    public var step: PlannedStep
    /// Read back after applying.
    public var observed: String?
    public var result: String?
    /// Planned but not executed: it runs a program or reboots and the root is not this machine.
    public var simulated: Bool

    init(_ step: PlannedStep, simulated: Bool = false) {
        summary = step.summaryLine
        self.step = step
        self.simulated = simulated
    }
}

extension RunReport {
    /// What a step that would run a program or reboot says under a root that is not this machine.
    public static let simulatedReason = "simulated: the root is not this machine"

    /// The plan as an on-call engineer reads it before saying yes, without colour.
    public func planText() -> String { plan().plain }

    /// The plan, its risk classes and non-ready statuses marked for colour (`TerminalStyle`).
    public func plan() -> StyledText {
        // People read "dry-run" (the command's flag); JSON and the audit log say dry_run.
        var text: StyledText = "Plan for \(name) on \(host) (\(mode.replacingASCII("_", with: "-"))\(forced ? ", forced" : "")):\n"
        for (index, action) in actions.enumerated() {
            text += "\n\(index + 1). \(action.name) \("[\(action.risk.rawValue)]", TerminalStyle.Role(action.risk)) — \(TerminalText.content(action.explain))\n"
            switch action.status {
            case .noChange, .skipped, .refused:
                text += "   \(RunRecap.label(action.status), TerminalStyle.Role(action.status)): \(TerminalText.content(action.reason ?? ""))\n"
            default:
                break
            }
            for note in action.notes { text += "   note: \(TerminalText.content(note))\n" }
            for step in action.steps {
                text += "   \(TerminalText.content(step.summary))\n"
                if step.simulated { text += "     (\(Self.simulatedReason): not executed)\n" }
                if case .writeFile(_, _, _, let diff, let backup) = step.step {
                    // File content is outside text: a control character in it is shown escaped, and said so.
                    var escaped = false
                    for line in diff.split(separator: "\n", omittingEmptySubsequences: false) where !line.isEmpty {
                        escaped = escaped || TerminalText.contentNeedsEscape(String(line))
                        text += "     \(TerminalText.content(String(line)))\n"
                    }
                    if escaped { text += "     (control characters in these lines are shown as \\xNN escapes)\n" }
                    if let backup { text += "     (backup: \(TerminalText.content(backup)))\n" }
                }
            }
        }
        return text
    }
}
