import Foundation

/// What the unattended policy remembers across restarts, under `/var/lib/ctfix/` on the host:
/// when each playbook last ran (cooldowns) and the boot in which ctfix last asked for a reboot
/// (at most one reboot per boot, keyed by `/proc/sys/kernel/random/boot_id`).
public struct PolicyState: Codable, Sendable, Equatable {
    public static let path = "/var/lib/ctfix/state.json"
    public static let bootIDPath = "/proc/sys/kernel/random/boot_id"

    /// Playbook name → end of its last unattended run.
    public var lastRuns: [String: Date] = [:]
    /// Boot ids in which ctfix requested a reboot.
    public var rebootedBoots: [String] = []

    enum CodingKeys: String, CodingKey { case lastRuns = "last_runs", rebootedBoots = "rebooted_boots" }

    public init() {}

    /// Reads the state; a missing file is an empty state, a corrupt one an error (a policy that
    /// silently forgets its cooldowns is no policy).
    public static func load(_ fileSystem: any FileSystem) throws(FileSystemError) -> PolicyState {
        guard fileSystem.exists(path) else { return PolicyState() }
        let data = try fileSystem.readFile(path)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        guard let state = try? decoder.decode(PolicyState.self, from: data) else {
            throw FileSystemError(path: path, reason: .io("corrupt policy state; fix or remove it"))
        }
        return state
    }

    public func save(_ fileSystem: any FileSystem) throws(FileSystemError) {
        try fileSystem.createDirectory(HostPath.parent(of: Self.path))
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        let data = (try? encoder.encode(self)) ?? Data()
        try fileSystem.writeAtomically(data, to: Self.path, mode: 0o600)
    }

    /// The time left before `playbook` may run again, or nil when it may run now.
    public func cooldownRemaining(for playbook: String, cooldown: Duration?, now: Date) -> Duration? {
        guard let cooldown, let last = lastRuns[playbook] else { return nil }
        let elapsed = now.timeIntervalSince(last)
        let remaining = cooldown.seconds - elapsed
        return remaining > 0 ? .milliseconds(Int64(remaining * 1000)) : nil
    }

    /// The current boot id, nil when the host does not expose one.
    public static func currentBootID(_ fileSystem: any FileSystem) -> String? {
        (try? fileSystem.readText(bootIDPath))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
