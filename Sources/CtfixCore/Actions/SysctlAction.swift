/// Changes one kernel tunable under `/proc/sys` — the core of conntrack remediation: raise
/// `nf_conntrack_max` (and the hash size with it), shorten the established-TCP timeout.
///
/// The key is a list of alternatives because the same knob has different names across kernel
/// eras (`net.netfilter.nf_conntrack_max`, `net.nf_conntrack_max`,
/// `net.ipv4.netfilter.ip_conntrack_max`); the first one that exists on the host is changed.
/// The new value is an expression over what the host reports (`max(current * 2, 65536)`),
/// clamped to `floor`/`ceiling`, and optionally checked against a memory budget, because every
/// conntrack entry costs unswappable kernel memory.
public struct SysctlAction: ActionKind {
    public static let keyword = "sysctl"
    public static let summary = "Set a kernel tunable (/proc/sys) to a computed value, with key alternatives across kernel eras, clamps, a memory budget, the conntrack hash size and persistence."
    public static let minimumRisk = RiskClass.safe

    /// How the new value is computed from the current one.
    public enum Change: Sendable, Equatable {
        /// new = expression (which may use `current`).
        case set(NumberExpression)
        /// new = current × factor.
        case multiply(NumberExpression)
        /// new = current + amount.
        case add(NumberExpression)

        /// The YAML key this change is written with.
        public var keyword: String {
            switch self {
            case .set: "set"
            case .multiply: "multiply"
            case .add: "add"
            }
        }

        public var expression: NumberExpression {
            switch self {
            case .set(let e), .multiply(let e), .add(let e): e
            }
        }
    }

    /// Which way a change may go; a computed value going the other way is refused at plan time
    /// (a "raise" that would lower `nf_conntrack_max` because the host already has more).
    public enum Direction: String, Sendable, CaseIterable {
        case raise, lower, any
    }

    /// Refuse to raise a conntrack table beyond what a share of available memory can hold.
    public struct MemoryBudget: Sendable, Equatable {
        /// Size of one table entry in bytes.
        public enum ObjectSize: Sendable, Equatable {
            /// The `nf_conntrack` / `ip_conntrack` object size from `/proc/slabinfo`, else
            /// `SysctlAction.fallbackObjectSize`.
            case auto
            case bytes(Int)
        }

        /// Fraction of MemAvailable the whole table may use (0.25 for `25%`); may use `${param}`.
        public var share: NumberExpression
        public var objectSize: ObjectSize

        public init(share: NumberExpression, objectSize: ObjectSize) {
            self.share = share
            self.objectSize = objectSize
        }
    }

    /// Also write the conntrack hash size, so lookups stay short when max grows.
    public struct HashSize: Sendable, Equatable {
        /// hashsize = new max / divisor (kube-proxy uses 4; kernels since 5.15 default to 1).
        public var divisor: Int
        /// Where the hash size lives (it is a module parameter, not a sysctl).
        public static let path = "/sys/module/nf_conntrack/parameters/hashsize"

        public init(divisor: Int) { self.divisor = divisor }
    }

    /// Keep the change across reboots.
    public struct Persist: Sendable, Equatable {
        /// `/etc/sysctl.conf` or `/etc/sysctl.d/NAME.conf`.
        public var file: String
        /// A module to load at boot (`/etc/modules-load.d/`), because nf_conntrack keys in
        /// sysctl files are ignored at boot when the module is not loaded yet.
        public var modulesLoad: String?

        public init(file: String, modulesLoad: String?) {
            self.file = file
            self.modulesLoad = modulesLoad
        }

        /// The modules-load.d file named like the sysctl file, when a module is to be loaded.
        public var modulesLoadFile: String? {
            modulesLoad.map { _ in "/etc/modules-load.d/" + HostPath.basename(file) }
        }
    }

    /// Key alternatives in order; the first that exists on the host is changed.
    public var keys: [String]
    public var change: Change
    /// The new value is raised to at least this.
    public var floor: NumberExpression?
    /// The new value is lowered to at most this.
    public var ceiling: NumberExpression?
    public var direction: Direction
    public var memoryBudget: MemoryBudget?
    public var hashSize: HashSize?
    public var persist: Persist?

    public init(keys: [String], change: Change, floor: NumberExpression? = nil, ceiling: NumberExpression? = nil,
                direction: Direction = .any, memoryBudget: MemoryBudget? = nil, hashSize: HashSize? = nil,
                persist: Persist? = nil) {
        self.keys = keys
        self.change = change
        self.floor = floor
        self.ceiling = ceiling
        self.direction = direction
        self.memoryBudget = memoryBudget
        self.hashSize = hashSize
        self.persist = persist
    }

    /// Names the expressions of `set` / `multiply` / `add` / `floor` / `ceiling` may use:
    /// the key's current value, RAM in MiB (`ram_mb * 16` is the classic rule of thumb),
    /// MemTotal and MemAvailable in bytes, and the number of CPUs.
    public static let expressionVariables: Set<String> = ["current", "ram_mb", "mem_total", "mem_available", "cpus"]

    /// Object size assumed when `/proc/slabinfo` cannot tell (the common x86-64 size is 320).
    public static let fallbackObjectSize = 320

    /// The conntrack table-size keys of every kernel era, dotted; the only keys a memory budget
    /// or a hash size makes sense for.
    public static let conntrackMaxKeys: [String] = [
        "net.netfilter.nf_conntrack_max", "net.nf_conntrack_max",
        "net.ipv4.netfilter.ip_conntrack_max", "net.ipv4.ip_conntrack_max",
    ]

    /// The `/proc/sys` path of a key: dots separate components, unless the key is written with
    /// slashes (then dots belong to the names, as in `net/ipv4/conf/eth0.100/rp_filter`).
    public static func procPath(forKey key: String) -> String {
        (try? SysctlKey(key))?.path ?? "/proc/sys/" + key
    }

    /// The dotted spelling of a key, for comparing keys written either way.
    public static func dottedKey(_ key: String) -> String {
        (try? SysctlKey(key))?.dottedName ?? key
    }

    /// Why `key` is not a sysctl key, or nil when it is one (`SysctlKey`'s rules).
    public static func keyProblem(_ key: String) -> String? {
        do {
            _ = try SysctlKey(key)
            return nil
        } catch {
            return error.reason
        }
    }

    public static func parse(_ node: YAMLNode, scope: inout ParseScope) -> SysctlAction? {
        SysctlActionParser.parse(node, scope: &scope)
    }

    public var summaryLine: String {
        let first = keys.first ?? "(no key)"
        let names = keys.count > 1 ? "\(first) (or \(keys.dropFirst().joined(separator: ", ")))" : first
        var line: String
        switch change {
        case .set(let e): line = "set \(names) to \(e)"
        case .multiply(let e): line = "multiply \(names) by \(e)"
        case .add(let e): line = "add \(e) to \(names)"
        }
        if let floor { line += ", at least \(floor)" }
        if let ceiling { line += ", at most \(ceiling)" }
        if direction != .any { line += ", \(direction.rawValue) only" }
        if let memoryBudget {
            let share = memoryBudget.share.constantValue.map { formatNumber($0 * 100) + "%" } ?? memoryBudget.share.text
            let size = switch memoryBudget.objectSize {
            case .auto: "entry size from slabinfo"
            case .bytes(let n): "\(n) bytes per entry"
            }
            line += ", within \(share) of MemAvailable (\(size))"
        }
        if let hashSize { line += ", hashsize = max / \(hashSize.divisor)" }
        if let persist {
            line += ", persisted in \(persist.file)"
            if let module = persist.modulesLoad { line += " (loading \(module) at boot)" }
        }
        return line
    }
}
