import Foundation

/// A run whose `run_start` has no `run_end`: it was killed, crashed or lost power (or is still
/// running). What the audit log says about it, so an operator knows what the host may hold
/// without reading JSON: the last record, the actions whose outcome was recorded as applied,
/// and the last intent that has no outcome (any, all or none of its steps may have happened).
public struct UnfinishedRun: Sendable, Codable, Equatable {
    public var runID: String
    public var playbook: String?
    public var started: Date
    public var pid: Int?
    /// The last record of the run: its event and, when it names one, the action.
    public var lastEvent: String
    public var lastAction: String?
    /// Actions recorded as applied before the run stopped.
    public var applied: [String]
    /// The action whose intent was recorded without an outcome, and its steps.
    public var pendingAction: String?
    public var pendingSteps: [String]

    enum CodingKeys: String, CodingKey {
        case runID = "run_id", playbook, started, pid, lastEvent = "last_event", lastAction = "last_action"
        case applied, pendingAction = "pending_action", pendingSteps = "pending_steps"
    }

    /// "run X (table-full, started T, pid P) never ended: interrupted or killed; last record: …".
    public var sentence: String {
        var who = [playbook, "started \(ISO8601Time.rounded(started))"].compactMap { $0 }
        if let pid { who.append("pid \(pid)") }
        var text = "run \(runID) (\(who.joined(separator: ", "))) never ended: interrupted or killed; last record: \(lastEvent)"
        if let lastAction { text += " of action \(lastAction)" }
        if !applied.isEmpty { text += "; applied before it stopped: \(applied.joined(separator: ", "))" }
        if !pendingSteps.isEmpty {
            let what = pendingAction.map { "action \($0)" } ?? "a rollback step"
            text += "; the host may hold any, all or none of \(what): \(pendingSteps.joined(separator: "; "))"
        } else if applied.isEmpty {
            text += "; no change was recorded as started"
        }
        return text + ". See 'ctfix audit show --run \(runID)'."
    }

    /// Follows the records of a log in order.
    struct Tracker {
        private var open: [String: UnfinishedRun] = [:]
        private var order: [String] = []

        mutating func add(_ record: AuditRecord) {
            let id = record.runID
            if record.event == "run_start" {
                let pid = record.fields["pid"]?.numberValue.map { Int($0) }
                let name = record.fields["name"]?.stringValue ?? record.fields["playbook"]?.stringValue ?? record.fields["mode"]?.stringValue
                open[id] = UnfinishedRun(runID: id, playbook: name, started: record.time, pid: pid, lastEvent: "run_start",
                                         lastAction: nil, applied: [], pendingAction: nil, pendingSteps: [])
                order.removeAll { $0 == id }
                order.append(id)
                return
            }
            if record.event == "run_end" {
                open[id] = nil
                order.removeAll { $0 == id }
                return
            }
            guard var run = open[id] else { return }
            let action = record.fields["action"]?.stringValue
            run.lastEvent = record.event
            run.lastAction = action
            switch record.event {
            case "intent":
                run.pendingAction = action
                run.pendingSteps = Self.summaries(record.fields["steps"])
            case "rollback_intent":
                run.pendingAction = action
                run.pendingSteps = Self.summaries(record.fields["step"].map { .array([$0]) }).map { "undo: " + $0 }
            case "outcome", "rollback_outcome":
                if record.event == "outcome", record.fields["status"]?.stringValue == "applied", let action { run.applied.append(action) }
                run.pendingAction = nil
                run.pendingSteps = []
            default:
                break
            }
            open[id] = run
        }

        var unfinished: [UnfinishedRun] { order.compactMap { open[$0] } }

        static func summaries(_ value: JSONValue?) -> [String] {
            guard case .array(let items)? = value else { return [] }
            return items.compactMap { item in
                guard let data = try? JSONEncoder().encode(item["step"] ?? item),
                      let step = try? JSONDecoder().decode(PlannedStep.self, from: data) else { return nil }
                return step.summaryLine
            }
        }
    }
}
