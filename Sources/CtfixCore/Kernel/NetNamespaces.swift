import Foundation

/// One network namespace seen under `/proc`: its identity (the nsfs inode the kernel prints in
/// `net:[4026532177]` and in "table full in netns 4026532177"), one process inside it through
/// which its `/proc/PID/net/…` files are read, and a name an operator recognises.
///
/// Conntrack counts, counters and timeouts are per namespace; `nf_conntrack_max` is one
/// limit for all of them, compared with each namespace's own count. Reading only the initial
/// namespace's files misses a namespace in trouble (`status` said "0 / 100 = 0% full" while a
/// namespace held 100 entries).
public struct NetNamespace: Sendable, Equatable, Hashable {
    /// The namespace's inode number, as the kernel names it in log lines.
    public var id: UInt64
    /// The lowest process id found in it (its `/proc/PID/net` shows this namespace).
    public var pid: Int32
    /// That process's command name (`/proc/PID/comm`), when readable.
    public var processName: String?
    /// How many processes were found in it.
    public var processCount: Int
    /// True for the namespace of PID 1 (the host's, unless ctfix runs in a PID namespace).
    public var isInitial: Bool

    public init(id: UInt64, pid: Int32, processName: String?, processCount: Int, isInitial: Bool) {
        self.id = id
        self.pid = pid
        self.processName = processName
        self.processCount = processCount
        self.isInitial = isInitial
    }

    /// Where this namespace's `/proc/net` files are read (`/proc/net` for the initial one, so
    /// snapshots and example hosts without per-process directories still answer).
    public var procNet: String { isInitial ? "/proc/net" : "/proc/\(pid)/net" }

    /// A name for humans: "netns 4026532177 (pid 4242 nginx)", "initial netns".
    public var displayName: String {
        let who = processName.map { "pid \(pid) \(TerminalText.escape($0))" } ?? "pid \(pid)"
        return isInitial ? (id == 0 ? "initial netns" : "initial netns \(id)") : "netns \(id) (\(who))"
    }
}

/// Finds every network namespace that has a process, through the context's file system (so a
/// snapshot or a fake root answers the same way as the live `/proc`).
public enum NetNamespaces {
    /// At most this many `/proc` entries are examined (a bound on a hostile or huge `/proc`).
    public static let maximumProcesses = 1_000_000

    /// Parses `net:[4026531840]`.
    public static func id(fromLink text: String) -> UInt64? {
        guard text.hasPrefix("net:["), text.hasSuffix("]") else { return nil }
        return UInt64(text.dropFirst(5).dropLast())
    }

    /// The namespace a process is in, nil when unreadable (the process ended, or no `/proc`).
    public static func namespace(ofProcess pid: String, in fileSystem: any FileSystem) -> UInt64? {
        fileSystem.linkTarget("/proc/\(pid)/ns/net").flatMap(id(fromLink:))
    }

    /// The namespace ctfix itself runs in (`/proc/self/ns/net`), nil on a root without it.
    public static func own(in fileSystem: any FileSystem) -> UInt64? {
        namespace(ofProcess: "self", in: fileSystem)
    }

    /// The initial namespace's inode on kernels that give it a fixed one (`PROC_NET_INIT_INO`,
    /// 6.x); dynamically numbered namespaces start at 0xF0000000, so no other has it.
    public static let fixedInitialID: UInt64 = 0xEFFF_FFF9

    /// The initial namespace, by the first rule that answers: the fixed inode; ctfix's own
    /// namespace when `/proc/sys/net/nf_conntrack_max` exists (the kernel registers that key
    /// in the initial namespace only); PID 1's namespace (unreadable in some sandboxes, and a
    /// container's own when ctfix runs without the host's PID namespace, hence last).
    public static func initialID(in fileSystem: any FileSystem, seen: some Collection<UInt64> = [UInt64]()) -> UInt64? {
        let own = own(in: fileSystem)
        if seen.contains(fixedInitialID) || own == fixedInitialID { return fixedInitialID }
        if let own, fileSystem.exists("/proc/sys/net/nf_conntrack_max") { return own }
        return namespace(ofProcess: "1", in: fileSystem)
    }

    /// True when ctfix runs in the initial namespace, false when it knows it does not, nil
    /// when it cannot tell (a root without `/proc/self`).
    public static func runsInInitialNamespace(_ fileSystem: any FileSystem) -> Bool? {
        guard let own = own(in: fileSystem) else { return nil }
        if own == fixedInitialID || fileSystem.exists("/proc/sys/net/nf_conntrack_max") { return true }
        let seen = Set(((try? fileSystem.listDirectory("/proc")) ?? []).prefix(maximumProcesses).compactMap { name in
            Int32(name) != nil ? namespace(ofProcess: name, in: fileSystem) : nil
        })
        guard let initial = initialID(in: fileSystem, seen: seen) else { return nil }
        return own == initial
    }

    /// Every namespace with at least one process, initial first, then by id. A root with no
    /// per-process directories (an example host) yields only the initial namespace, with the
    /// id found by `initialID` or 0 when unknown.
    public static func discover(in fileSystem: any FileSystem) -> [NetNamespace] {
        var found: [UInt64: (pid: Int32, count: Int)] = [:]
        let entries = (try? fileSystem.listDirectory("/proc")) ?? []
        for name in entries.prefix(maximumProcesses) {
            guard let pid = Int32(name), pid > 0, let id = namespace(ofProcess: name, in: fileSystem) else { continue }
            if let seen = found[id] {
                found[id] = (min(seen.pid, pid), seen.count + 1)
            } else {
                found[id] = (pid, 1)
            }
        }
        let initialID = initialID(in: fileSystem, seen: found.keys)
        var result = found.map { id, seen in
            NetNamespace(id: id, pid: seen.pid, processName: processName(seen.pid, fileSystem), processCount: seen.count,
                         isInitial: id == initialID)
        }
        if !result.contains(where: \.isInitial) {
            result.append(NetNamespace(id: initialID ?? 0, pid: 1, processName: processName(1, fileSystem), processCount: 0, isInitial: true))
        }
        return result.sorted { ($0.isInitial ? 0 : 1, $0.id) < ($1.isInitial ? 0 : 1, $1.id) }
    }

    static func processName(_ pid: Int32, _ fileSystem: any FileSystem) -> String? {
        guard let text = try? fileSystem.readText("/proc/\(pid)/comm") else { return nil }
        let name = text.trimmed(.newlines)
        return name.isEmpty ? nil : String(name.prefix(64))
    }
}
