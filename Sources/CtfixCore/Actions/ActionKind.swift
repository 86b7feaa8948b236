/// How disruptive an action is; the executor's prompts and the unattended policy key on it.
public enum RiskClass: String, Sendable, Codable, CaseIterable, Comparable {
    /// Reversible, no service impact (raise a table size, shorten a timeout).
    case safe
    /// Reversible but felt by users or processes (drop caches, restart a service).
    case disruptive
    /// Not reversible by ctfix or takes the host down (module unload, reboot).
    case destructive

    public static func < (a: RiskClass, b: RiskClass) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// One kind of remediation action (`sysctl`, `file_edit`, `reboot`, …): how it is written and
/// validated. Each kind is one type in one file and, like predicates, carries examples that
/// the test suite runs. (Planning and applying are added by the executor.)
public protocol ActionKind: Sendable {
    static var keyword: String { get }
    static var summary: String { get }
    /// The least risk this kind can have: a playbook may declare more, never less
    /// (a reboot can never be `safe`).
    static var minimumRisk: RiskClass { get }
    static var examples: KindExamples { get }

    static func parse(_ node: YAMLNode, scope: inout ParseScope) -> Self?

    /// One line for plans and listings ("set net.netfilter.nf_conntrack_max to max(current * 2, 65536)").
    var summaryLine: String { get }
}

/// An action as the playbook lists it: the kind-specific part plus what every action has.
public struct PlaybookAction: Sendable {
    /// Unique within the playbook; used in prompts, the audit log and `--json`.
    public var name: String
    /// One sentence shown in the plan: why this action helps.
    public var explain: String
    public var risk: RiskClass
    /// Skip the action (and say so) unless this holds.
    public var when: Predicate?
    /// A destructive action runs unattended only if this is true *and* the invocation allows it.
    public var allowUnattended: Bool
    public var kind: any ActionKind
    public var line: Int
    public var column: Int

    public init(name: String, explain: String, risk: RiskClass, when: Predicate?, allowUnattended: Bool,
                kind: any ActionKind, line: Int, column: Int) {
        self.name = name
        self.explain = explain
        self.risk = risk
        self.when = when
        self.allowUnattended = allowUnattended
        self.kind = kind
        self.line = line
        self.column = column
    }

    /// The action kinds a playbook may use.
    public static let kinds: [any ActionKind.Type] = [
        SysctlAction.self, DropCachesAction.self, CompactMemoryAction.self, RestartServiceAction.self,
        FileEditAction.self, ModuleUnloadAction.self, RebootAction.self, CommandAction.self,
    ]
}

// MARK: - Parsing helpers shared by the action kinds

extension MappingReader {
    /// Exactly one of `keys` must be present (`set` / `multiply` / `add`, `argv` / `shell`):
    /// none is reported at the mapping, a second one at that key, so the author sees which to drop.
    func onlyOneOf(_ keys: [String], in what: String, scope: inout ParseScope) -> (key: String, value: YAMLNode)? {
        let present = self.keys.filter { keys.contains($0) }
        for key in keys { accept(key) }
        guard let first = present.first, let value = optional(first) else {
            scope.error(node, "\(what) needs exactly one of: \(keys.joined(separator: ", "))")
            return nil
        }
        if present.count > 1, let second = keyNode(present[1]) {
            scope.error(second, "\(what) takes only one of \(keys.joined(separator: ", ")); found \(present.joined(separator: " and "))")
            return nil
        }
        return (first, value)
    }
}

extension ParseScope {
    /// An absolute host path, normalised (`//` and `/./` collapsed); `..` and relative paths
    /// are refused at the node, because a path that leaves its directory is never what was meant.
    mutating func normalizedHostPath(_ node: YAMLNode, _ what: String) -> String? {
        guard let text = nonEmptyString(node, what) else { return nil }
        do {
            return try HostPath.normalize(text)
        } catch {
            if case .invalidPath(let why) = error.reason {
                self.error(node, "\(what): \(why), found '\(text)'")
            } else {
                self.error(node, "\(what) is not a usable path: '\(text)'")
            }
            return nil
        }
    }

    /// A duration between zero (exclusive) and `maximum` (inclusive).
    mutating func boundedDuration(_ node: YAMLNode, _ what: String, atMost maximum: Duration) -> Duration? {
        guard let value = duration(node, what) else { return nil }
        guard value <= maximum else {
            error(node, "\(what) must be at most \(DurationText.format(maximum)), found \(DurationText.format(value))")
            return nil
        }
        return value
    }
}

/// Linux kernel module names as `modprobe` and `/sys/module` spell them.
enum KernelModuleName {
    static func isValid(_ name: String) -> Bool {
        CompiledPattern.ownPatternMatches("^[a-z0-9_]+$", name)
    }
}
