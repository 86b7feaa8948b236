import Foundation

/// One namespace's reading of a per-namespace source.
public struct NamespacedReading: Sendable {
    public var namespace: NetNamespace
    public var reading: Result<Reading, HostReadFailure>
}

/// A value source whose number is kept per network namespace (the conntrack count): read in
/// every namespace, not only in ctfix's own, because a namespace can fill the one global
/// `nf_conntrack_max` while the initial namespace's count is 0.
public protocol NamespacedValueSource: ValueSourceKind {
    /// One reading per namespace, or nil when the source is not per namespace or only the
    /// initial namespace exists (then `read(in:)` is the whole answer, as before).
    func readPerNamespace(in context: EvaluationContext) -> [NamespacedReading]?
}

extension SysctlValueSource: NamespacedValueSource {
    /// The keys whose value is the namespace's own conntrack count.
    static let countKeys: Set<String> = ["net.netfilter.nf_conntrack_count"]

    /// `sysctl: net.netfilter.nf_conntrack_count` shows only the namespace ctfix runs in. When
    /// other namespaces have processes, each one's count is the `entries` column of its
    /// `/proc/PID/net/stat/nf_conntrack` (the initial namespace keeps the sysctl reading).
    public func readPerNamespace(in context: EvaluationContext) -> [NamespacedReading]? {
        guard let key = keys.first(where: { Self.countKeys.contains($0.dottedName) }) else { return nil }
        let namespaces = context.netNamespaces
        guard namespaces.contains(where: { !$0.isInitial }) else { return nil }
        // The sysctl shows ctfix's own namespace (the initial one unless ctfix runs inside a
        // container); every other namespace is read through one of its processes.
        let own = NetNamespaces.own(in: context.host.fileSystem)
        return namespaces.map { namespace in
            let ownOne = own.map { $0 == namespace.id } ?? namespace.isInitial
            guard !ownOne else { return NamespacedReading(namespace: namespace, reading: read(in: context)) }
            return NamespacedReading(namespace: namespace, reading: Self.entries(of: namespace, key: key, seenFrom: own, in: context))
        }
    }

    /// The `entries` gauge of the namespace's conntrack stat file, as a reading of `key`.
    static func entries(of namespace: NetNamespace, key: SysctlKey, seenFrom own: UInt64?, in context: EvaluationContext) -> Result<Reading, HostReadFailure> {
        let path = namespace.procNet(seenFrom: own) + "/stat/nf_conntrack"
        let text: String
        do { text = try context.cachedText(path) } catch { return .failure(HostReadFailure(error)) }
        switch KernelStatTable.parse(text) {
        case .failure(let problem):
            return .failure(HostReadFailure(path: path, message: "\(path) line \(problem.line): \(problem.message)"))
        case .success(let table):
            guard let entries = table.total("entries") else {
                return .failure(HostReadFailure(path: path, message: "\(path) has no 'entries' column"))
            }
            return .success(Reading(name: key.text, source: path, value: Double(entries), unit: key.unit,
                                    note: nil))
        }
    }
}

/// Combines one result per namespace into the predicate's result. An upper bound alone
/// (`below:`, how verification says "healthy") must hold in every namespace; any other
/// comparison (`above:`, a range, `equals:`) holds when it holds in any namespace. The
/// namespaces that decide are named first, and the non-initial ones in trouble are recorded
/// in `namespaces` for per-namespace actions.
enum PerNamespaceResult {
    static func combine(_ parts: [(namespace: NetNamespace, result: PredicateResult)], comparison: ValueComparison,
                        kind: String, predicate: String) -> PredicateResult {
        let everywhere = comparison.above == nil && comparison.equals == nil && comparison.below != nil
        let states = parts.map(\.result.state)
        let state: PredicateResult.State
        if everywhere {
            state = states.contains(.doesNotHold) ? .doesNotHold : states.contains(.unknown) ? .unknown : .holds
        } else {
            state = states.contains(.holds) ? .holds : states.contains(.unknown) ? .unknown : .doesNotHold
        }
        // In trouble: where the condition holds (above), or where the upper bound fails (below).
        let trouble: PredicateResult.State = everywhere ? .doesNotHold : .holds
        let ordered = parts.filter { $0.result.state == trouble } + parts.filter { $0.result.state != trouble }
        let detail = ordered.map { "\($0.result.detail) in \($0.namespace.displayName)" }.joined(separator: "; ")
        var result = PredicateResult(state: state, kind: kind, predicate: predicate, detail: detail,
                                     readings: parts.flatMap(\.result.readings))
        result.threshold = parts.compactMap(\.result.threshold).first
        let named = parts.filter { $0.result.state == trouble && !$0.namespace.isInitial }.map(\.namespace.id)
        result.namespaces = named.isEmpty ? nil : named
        return result
    }
}
