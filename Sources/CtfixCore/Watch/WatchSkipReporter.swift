import Foundation

/// Why watch did not run a playbook it looked at. Every skip is printed and audited; one that
/// can repeat every interval (a cooldown, a held host lock) is printed and audited at most once
/// per playbook and reason per `period`, the record carrying how many were not repeated.
public enum WatchSkip: String, Sendable {
    case notFiring = "not_firing"
    case unknown
    case cooldown
    case busy
    case heldOff = "held_off"
}

/// Rate-limits skip messages: the first of a (playbook, reason) is said at once, the next ones
/// within `period` are only counted, and the count is given with the next one said.
struct WatchSkipReporter {
    struct Key: Hashable {
        var playbook: String
        var skip: WatchSkip
    }

    var period: TimeInterval = 60
    private var said: [Key: Date] = [:]
    private var unsaid: [Key: Int] = [:]

    /// Nil when this skip is only counted; else how many were counted since the last one said.
    mutating func admit(playbook: String, skip: WatchSkip, now: Date) -> Int? {
        let key = Key(playbook: playbook, skip: skip)
        if let last = said[key], now.timeIntervalSince(last) < period, now >= last {
            unsaid[key, default: 0] += 1
            return nil
        }
        said[key] = now
        return unsaid.removeValue(forKey: key) ?? 0
    }
}

/// What a run started by watch did to the host, decided from the report's action statuses
/// (and the outcome), so outcomes added later are judged by what their actions did.
enum RunEffect {
    /// Action statuses that mean the host was (or may have been) changed.
    static let changingStatuses: Set<String> = ["applied", "failed", "rolled_back"]
    /// Outcomes that always mean a change was applied.
    static let changingOutcomes: Set<String> = ["remediated", "not_remediated", "unverified"]

    /// True when the run changed something: it starts the playbook's cooldown. A refused,
    /// busy, declined, healthy or dry run, and one whose actions were all simulated, skipped or
    /// unchanged, did not.
    static func changedSomething(_ report: RunReport) -> Bool {
        if report.outcome.rawValue == "dry_run" || report.outcome.rawValue == "busy" { return false }
        if report.actions.contains(where: { changingStatuses.contains($0.status.rawValue) }) { return true }
        return changingOutcomes.contains(report.outcome.rawValue)
    }
}
