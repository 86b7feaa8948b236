import Foundation

/// What the unattended policy remembers across restarts, under `/var/lib/ctfix/` on the host:
/// when each playbook last changed the host (cooldowns) and the boot in which ctfix last asked
/// for a reboot (at most one reboot per boot, keyed by `/proc/sys/kernel/random/boot_id`).
///
/// Both are written durably (temp file, fsync, rename, fsync of the directory) *before* the
/// change they guard: the cooldown before a run's first change (`recordChangeStarting`), the
/// boot before the reboot. A run killed at any instant after it changed something has left its
/// cooldown on disk, so the next unattended run cannot apply the same change a second time.
public struct PolicyState: Codable, Sendable, Equatable {
    public static let path = "/var/lib/ctfix/state.json"
    public static let bootIDPath = "/proc/sys/kernel/random/boot_id"

    /// Playbook name → when its last run started changing the host (the cooldown's start).
    public var lastRuns: [String: Date] = [:]
    /// Playbook name → the id of that run (the attempt record; `ctfix audit show --run ID`).
    public var lastRunIDs: [String: String] = [:]
    /// Boot ids in which ctfix requested a reboot.
    public var rebootedBoots: [String] = []

    enum CodingKeys: String, CodingKey {
        case lastRuns = "last_runs", lastRunIDs = "last_run_ids", rebootedBoots = "rebooted_boots"
    }

    public init() {}

    /// Files written before `last_run_ids` existed still load.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        lastRuns = try container.decodeIfPresent([String: Date].self, forKey: .lastRuns) ?? [:]
        lastRunIDs = try container.decodeIfPresent([String: String].self, forKey: .lastRunIDs) ?? [:]
        rebootedBoots = try container.decodeIfPresent([String].self, forKey: .rebootedBoots) ?? []
    }

    /// Records, durably, that run `runID` of `playbook` is about to make its first change: the
    /// cooldown starts now. Call it right before each action's intent record; after the first
    /// call of a run it only reads (the state already names the run). Throws when the state
    /// cannot be read or written — the caller must then change nothing.
    public static func recordChangeStarting(playbook: String, runID: String, at time: Date,
                                            _ fileSystem: any FileSystem) throws(FileSystemError) {
        var state = try load(fileSystem)
        guard state.lastRunIDs[playbook] != runID else { return }
        state.lastRuns[playbook] = time
        state.lastRunIDs[playbook] = runID
        try state.save(fileSystem)
    }

    /// Reads the state; a missing file is an empty state, a corrupt one an error (a policy that
    /// silently forgets its cooldowns is no policy).
    public static func load(_ fileSystem: any FileSystem) throws(FileSystemError) -> PolicyState {
        guard fileSystem.exists(path) else { return PolicyState() }
        let data = try fileSystem.readFile(path)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = ISO8601Time.decodingStrategy
        guard let state = try? decoder.decode(PolicyState.self, from: data) else {
            throw FileSystemError(path: path, reason: .io("corrupt policy state; fix or remove it"))
        }
        return state
    }

    public func save(_ fileSystem: any FileSystem) throws(FileSystemError) {
        try fileSystem.createDirectory(HostPath.parent(of: Self.path))
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = ISO8601Time.encodingStrategy
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        let data = (try? encoder.encode(self)) ?? Data()
        KillPoint.pass("policy.before-save")
        try fileSystem.writeAtomically(data, to: Self.path, mode: 0o600)
        KillPoint.pass("policy.saved")
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
        (try? fileSystem.readText(bootIDPath))?.trimmed(.whitespacesAndNewlines)
    }
}
