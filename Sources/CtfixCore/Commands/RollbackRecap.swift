/// The end of `ctfix rollback`'s text output, as `RunRecap` ends a run: every change of the
/// original run and what the rollback did with it, then the outcome, the rollback's own run id
/// and the audit log that holds both.
struct RollbackRecap {
    enum Result: String {
        case restored, failed, declined, refused, planned
        case notRun = "not run"
        case leftAlone = "left alone"
        case alreadyRestored = "already restored"
        case cannotUndo = "cannot undo"

        var role: TerminalStyle.Role {
            switch self {
            case .restored, .alreadyRestored: .good
            case .failed: .bad
            case .declined, .refused, .leftAlone, .cannotUndo: .warning
            case .planned: .note
            case .notRun: .muted
            }
        }
    }

    let runID: String
    let auditLog: String
    private(set) var entries: [(summary: String, result: Result)] = []

    init(runID: String, auditLog: String) {
        self.runID = runID
        self.auditLog = auditLog
    }

    mutating func add(_ step: PlannedStep, _ result: Result) {
        entries.append((step.summaryLine, result))
    }

    mutating func add(summary: String, _ result: Result) {
        entries.append((summary, result))
    }

    /// Sets the result of every entry still `from` (the plan after a refusal, a decline, a stop).
    mutating func mark(_ from: Result, as result: Result) {
        for index in entries.indices where entries[index].result == from { entries[index].result = result }
    }

    /// Sets the result of the first entry still `from` (the step just applied).
    mutating func markFirst(_ from: Result, as result: Result) {
        if let index = entries.firstIndex(where: { $0.result == from }) { entries[index].result = result }
    }

    /// The recap; `outcome` is `rolled_back`, `failed`, `declined`, `refused`, `dry_run` or
    /// `nothing_to_undo`, `rollbackID` the id its audit records carry (nil: none written).
    func text(outcome: String, rollbackID: String?) -> StyledText {
        var text = StyledText()
        if !entries.isEmpty {
            text += "\("RECAP", .heading) rollback of run \(runID)\n"
            for (index, entry) in entries.enumerated() {
                let label = entry.result.rawValue
                text += "  \(index + 1). \(label, entry.result.role)\(String(repeating: " ", count: max(1, 17 - label.count)))"
                text += "\(TerminalText.content(entry.summary))\n"
            }
        }
        let role: TerminalStyle.Role = switch outcome {
        case "rolled_back", "nothing_to_undo": .good
        case "failed": .bad
        case "dry_run": .note
        default: .warning
        }
        let record = rollbackID.map { "rollback run \($0), audit log \(auditLog)" } ?? "nothing recorded; the run is in \(auditLog)"
        return text + "outcome: \(outcome, role) (\(record))"
    }
}
