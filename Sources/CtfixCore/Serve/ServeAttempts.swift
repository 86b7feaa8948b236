import Foundation

/// The attempt budget's memory (`/var/lib/ctfix/serve-attempts.json` on the host): when each
/// playbook was started from an alert, so a flapping alert cannot start more than
/// `budget.attempts` runs per `budget.per`, across restarts. Cooldowns stay in `PolicyState`.
public struct ServeAttempts: Codable, Sendable, Equatable {
    public static let path = "/var/lib/ctfix/serve-attempts.json"

    /// Playbook name → start times of its alert-triggered runs.
    public var starts: [String: [Date]] = [:]

    public init() {}

    public static func load(_ fileSystem: any FileSystem) throws(FileSystemError) -> ServeAttempts {
        guard fileSystem.exists(path) else { return ServeAttempts() }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = ISO8601Time.decodingStrategy
        guard let state = try? decoder.decode(ServeAttempts.self, from: try fileSystem.readFile(path)) else {
            throw FileSystemError(path: path, reason: .io("corrupt attempt budget state; fix or remove it"))
        }
        return state
    }

    public func save(_ fileSystem: any FileSystem) throws(FileSystemError) {
        try fileSystem.createDirectory(HostPath.parent(of: Self.path))
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = ISO8601Time.encodingStrategy
        encoder.outputFormatting = [.sortedKeys]
        try fileSystem.writeAtomically((try? encoder.encode(self)) ?? Data(), to: Self.path, mode: 0o600)
    }

    /// Runs of `playbook` started within the budget's window before `now`.
    public func used(by playbook: String, budget: AttemptBudget, now: Date) -> Int {
        (starts[playbook] ?? []).count { now.timeIntervalSince($0) < budget.per.seconds }
    }

    /// Records a start and forgets starts older than the window.
    public mutating func record(_ playbook: String, at now: Date, budget: AttemptBudget) {
        starts[playbook] = (starts[playbook] ?? []).filter { now.timeIntervalSince($0) < budget.per.seconds } + [now]
    }
}
