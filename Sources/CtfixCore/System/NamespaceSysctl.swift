import Synchronization

/// A namespace to act in, and the process through which it is reached. The id is checked
/// again through the same pid right before every access: a pid reused by a process in
/// another namespace between plan and apply is refused, never written through.
public struct NamespaceTarget: Sendable, Equatable, Codable {
    public var id: UInt64
    public var pid: Int32
    public init(id: UInt64, pid: Int32) { self.id = id; self.pid = pid }
}

/// Why a per-namespace read or write did not happen (or did not complete).
public struct NamespaceAccessError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: String, Sendable { case namespaceChanged, unavailable, failed }
    public var reason: Reason
    public var message: String
    /// True when the value may have been written before the failure.
    public var changed: Bool
    public init(_ reason: Reason, _ message: String, changed: Bool = false) {
        self.reason = reason
        self.message = message
        self.changed = changed
    }
    public var description: String { message }
}

/// The system boundary for per-namespace sysctls (`net.netfilter.nf_conntrack_tcp_timeout_*`
/// are per network namespace): reads and writes a `/proc/sys` file as the given namespace
/// sees it. The real implementation (`SetnsSysctlAccess`) enters the namespace with setns(2)
/// on a dedicated thread and is used only on a live root; tests script `ScriptedNamespaceAccess`.
public protocol NamespaceSysctlAccess: Sendable {
    /// The file's content as the namespace sees it.
    func read(_ path: String, in target: NamespaceTarget) throws(NamespaceAccessError) -> String
    /// Writes `value` in one write(2) and returns what reading the file back gives.
    func write(_ value: String, to path: String, in target: NamespaceTarget) throws(NamespaceAccessError) -> String
}

/// No namespace access: a snapshot or example root has no namespaces to enter.
public struct NoNamespaceAccess: NamespaceSysctlAccess {
    public init() {}
    public func read(_ path: String, in target: NamespaceTarget) throws(NamespaceAccessError) -> String {
        throw NamespaceAccessError(.unavailable, "cannot enter netns \(target.id): the root is not this machine's live /")
    }
    public func write(_ value: String, to path: String, in target: NamespaceTarget) throws(NamespaceAccessError) -> String {
        throw NamespaceAccessError(.unavailable, "cannot enter netns \(target.id): the root is not this machine's live /")
    }
}

/// A fake for tests: per-namespace values, which namespace each pid is in now (a test moves
/// a pid to another namespace to stage pid reuse), and a log of the writes.
public final class ScriptedNamespaceAccess: NamespaceSysctlAccess {
    struct State {
        var values: [UInt64: [String: String]]
        var pids: [Int32: UInt64]
        var writes: [(UInt64, String, String)] = []
    }
    private let state: Mutex<State>

    /// `values[namespace][path]` is the file's content; `pids[pid]` the namespace it is in.
    public init(values: [UInt64: [String: String]], pids: [Int32: UInt64]) {
        state = Mutex(State(values: values, pids: pids))
    }

    public func value(_ path: String, in namespace: UInt64) -> String? { state.withLock { $0.values[namespace]?[path] } }
    public var writes: [(namespace: UInt64, path: String, value: String)] { state.withLock { $0.writes.map { ($0.0, $0.1, $0.2) } } }
    /// Moves `pid` into another namespace (or away, nil): the pid was reused.
    public func move(pid: Int32, to namespace: UInt64?) { state.withLock { $0.pids[pid] = namespace } }

    public func read(_ path: String, in target: NamespaceTarget) throws(NamespaceAccessError) -> String {
        let result: Result<String, NamespaceAccessError> = state.withLock { state in
            guard let now = state.pids[target.pid], now == target.id else { return .failure(Self.changed(target, state.pids[target.pid])) }
            guard let value = state.values[target.id]?[path] else { return .failure(NamespaceAccessError(.failed, "\(path): no such file in netns \(target.id)")) }
            return .success(value)
        }
        return try result.get()
    }

    public func write(_ value: String, to path: String, in target: NamespaceTarget) throws(NamespaceAccessError) -> String {
        let result: Result<String, NamespaceAccessError> = state.withLock { state in
            guard let now = state.pids[target.pid], now == target.id else { return .failure(Self.changed(target, state.pids[target.pid])) }
            guard state.values[target.id]?[path] != nil else { return .failure(NamespaceAccessError(.failed, "\(path): no such file in netns \(target.id)")) }
            let text = value.trimmed(.whitespacesAndNewlines)
            state.values[target.id]?[path] = text + "\n"
            state.writes.append((target.id, path, text))
            return .success(text + "\n")
        }
        return try result.get()
    }

    static func changed(_ target: NamespaceTarget, _ now: UInt64?) -> NamespaceAccessError {
        NamespaceAccessError(.namespaceChanged, now.map { "pid \(target.pid) is now in netns \($0), not netns \(target.id) (the pid was reused); not writing" }
                             ?? "pid \(target.pid) no longer exists, so netns \(target.id) cannot be reached through it; not writing")
    }
}
