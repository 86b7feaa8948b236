import Foundation
import Synchronization

/// What one action will do on this host, computed before anything changes: the exact steps
/// with before → after values, or why it will not run.
public struct ActionPlan: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable {
        /// Steps are ready to apply.
        case ready
        /// The host already has the target value; nothing to do.
        case noChange = "no_change"
        /// The action must not run (memory budget, built-in module, wrong direction…).
        case refused
        /// Its `when:` predicate did not hold.
        case skipped
    }

    public var status: Status
    public var steps: [PlannedStep]
    /// Why it is refused / skipped / unchanged.
    public var reason: String?
    /// What the plan had to decide ("clamped to the memory budget: 1,048,576 entries").
    public var notes: [String]
    /// Where this action can run instead, when it is refused only because ctfix runs inside a
    /// non-initial network namespace (a global key such as `nf_conntrack_max`). The executor
    /// refuses the whole run before any change and prints it.
    public var hostCommand: String?

    public init(status: Status, steps: [PlannedStep] = [], reason: String? = nil, notes: [String] = []) {
        self.status = status
        self.steps = steps
        self.reason = reason
        self.notes = notes
    }

    public static func refused(_ reason: String, notes: [String] = []) -> ActionPlan {
        ActionPlan(status: .refused, reason: reason, notes: notes)
    }

    public static func noChange(_ reason: String, notes: [String] = []) -> ActionPlan {
        ActionPlan(status: .noChange, reason: reason, notes: notes)
    }
}

/// An action kind the executor can run: it computes its steps from the live host. Planning
/// only reads; `StepApplier` makes the changes.
public protocol PlannableAction: ActionKind {
    func plan(in context: PlanContext) async -> ActionPlan
}

/// What an action's plan may look at.
public struct PlanContext: Sendable {
    public let evaluation: EvaluationContext
    public let parameters: [String: ParameterValue]
    public let facts: HostFacts
    public let runID: String
    /// The playbook's name, for headers of files the run creates.
    public let playbookName: String
    /// `--force`: plans may override guards that the playbook lets `force` override.
    public let force: Bool
    /// Config files as earlier actions of this run will leave them, so two actions persisting
    /// to the same file plan against each other's result rather than clobber it.
    public let pendingFiles = PendingFiles()
    /// Non-initial network namespaces detection named as in trouble (a log line's "in netns N",
    /// a namespace whose own count made a ratio hold): per-namespace keys are set there too.
    public var namespacesInTrouble: [UInt64] = []

    public init(evaluation: EvaluationContext, parameters: [String: ParameterValue], facts: HostFacts, runID: String,
                playbookName: String = "", force: Bool = false) {
        self.playbookName = playbookName
        self.evaluation = evaluation
        self.parameters = parameters
        self.facts = facts
        self.runID = runID
        self.force = force
    }

    public var host: CtfixContext { evaluation.host }

    /// A config file's content as this run will have left it so far (nil: absent).
    public func plannedContent(of path: String) -> String? {
        if let pending = pendingFiles.content(path) { return pending }
        return try? fileSystem.readText(path)
    }

    /// The first byte of the file on disk that is not UTF-8 (nil: valid, absent or already
    /// replaced by this run's plan): an edit of such a file would change lines it never showed.
    public func invalidUTF8Offset(of path: String) -> Int? {
        guard pendingFiles.content(path) == nil, let data = try? fileSystem.readFile(path) else { return nil }
        return UTF8Check.firstInvalidOffset(data)
    }

    /// A write-file step from the planned content to `after`, recorded for later actions;
    /// nil when nothing changes.
    public func fileStep(_ path: String, after: String, backup: Bool = true) -> PlannedStep? {
        let before = plannedContent(of: path)
        guard before != after else { return nil }
        pendingFiles.set(path, after)
        let backupPath = before == nil || !backup ? nil : "/var/lib/ctfix/backups/\(runID)\(path)"
        return .writeFile(path: path, before: before, after: after,
                          diff: UnifiedDiff.make(old: before, new: after, path: path), backup: backupPath)
    }
    public var fileSystem: any FileSystem { evaluation.host.fileSystem }
}

/// Host-wide numbers that action expressions may use (`ram_mb`, `mem_total`, `mem_available`,
/// `cpus`), read once per run.
public struct HostFacts: Sendable, Equatable, Codable {
    public var memTotalBytes: Double?
    public var memAvailableBytes: Double?
    public var cpus: Int?
    public var hostName: String
    public var bootID: String?

    enum CodingKeys: String, CodingKey {
        case memTotalBytes = "mem_total_bytes", memAvailableBytes = "mem_available_bytes", cpus
        case hostName = "host_name", bootID = "boot_id"
    }

    /// Expression variables, without `current` (added per key).
    public var variables: [String: Double] {
        var variables: [String: Double] = [:]
        if let memTotalBytes {
            variables["mem_total"] = memTotalBytes
            variables["ram_mb"] = (memTotalBytes / 1_048_576).rounded(.down)
        }
        if let memAvailableBytes { variables["mem_available"] = memAvailableBytes }
        if let cpus { variables["cpus"] = Double(cpus) }
        return variables
    }

    /// Reads the facts through the system boundary; what cannot be read stays nil.
    public static func read(_ fileSystem: any FileSystem) -> HostFacts {
        var facts = HostFacts(hostName: "unknown")
        if let meminfo = try? fileSystem.readText("/proc/meminfo") {
            var fields: [String: Double] = [:]
            for line in meminfo.split(separator: "\n") {
                let parts = line.split(whereSeparator: { $0 == ":" || $0 == " " })
                if parts.count >= 2, let value = Double(parts[1]) { fields[String(parts[0])] = value * 1024 }
            }
            facts.memTotalBytes = fields["MemTotal"]
            facts.memAvailableBytes = fields["MemAvailable"]
                ?? [fields["MemFree"], fields["Buffers"], fields["Cached"]].compactMap { $0 }.reduce(0, +)
        }
        if let stat = try? fileSystem.readText("/proc/stat") {
            let count = stat.split(separator: "\n").filter { $0.hasPrefix("cpu") && !$0.hasPrefix("cpu ") }.count
            facts.cpus = count > 0 ? count : nil
        }
        for path in ["/proc/sys/kernel/hostname", "/etc/hostname"] {
            if let name = try? fileSystem.readText(path).trimmed(.whitespacesAndNewlines), !name.isEmpty {
                facts.hostName = name
                break
            }
        }
        facts.bootID = PolicyState.currentBootID(fileSystem)
        return facts
    }
}

/// Planned contents of config files within one run.
public final class PendingFiles: Sendable {
    private let files = Mutex<[String: String]>([:])
    public init() {}
    public func content(_ path: String) -> String? { files.withLock { $0[path] } }
    public func set(_ path: String, _ content: String) { files.withLock { $0[path] = content } }
}
