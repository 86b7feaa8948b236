import Foundation

/// One namespace's conntrack picture for `ctfix status`: its own count (`entries`) and the
/// packets dropped for want of an entry since boot, from its `/proc/…/net/stat/nf_conntrack`.
public struct NamespaceConntrackStats: Sendable, Encodable, Equatable {
    public var id: UInt64
    public var pid: Int32
    public var processName: String?
    public var isInitial: Bool
    /// "netns 4026532177 (pid 4242 nginx)", escaped.
    public var displayName: String
    public var source: String
    public var entries: UInt64?
    /// drop + early_drop + insert_failed, summed over CPUs.
    public var drops: UInt64?
    /// Why the stat file could not be read, when it could not.
    public var problem: String?

    enum CodingKeys: String, CodingKey {
        case id, pid, isInitial = "initial", processName = "process", source, entries, drops, problem
    }

    /// The drop columns counted: the table was full (`drop`), an entry was evicted to make room
    /// (`early_drop`), or a new entry lost a race (`insert_failed`).
    public static let dropColumns = ["drop", "early_drop", "insert_failed"]

    /// Reads every namespace's stat file; nil when no namespace has one (a kernel or root
    /// without `/proc/net/stat/nf_conntrack`), so `status` prints nothing rather than noise.
    public static func read(in context: EvaluationContext) -> [NamespaceConntrackStats]? {
        let own = NetNamespaces.own(in: context.host.fileSystem)
        let all = context.netNamespaces.map { read($0, seenFrom: own, in: context) }
        return all.contains(where: { $0.entries != nil }) ? all : nil
    }

    static func read(_ namespace: NetNamespace, seenFrom own: UInt64?, in context: EvaluationContext) -> NamespaceConntrackStats {
        let path = namespace.procNet(seenFrom: own) + "/stat/nf_conntrack"
        var stats = NamespaceConntrackStats(id: namespace.id, pid: namespace.pid, processName: namespace.processName,
                                            isInitial: namespace.isInitial, displayName: namespace.displayName, source: path)
        do {
            switch KernelStatTable.parse(try context.cachedText(path)) {
            case .success(let table):
                stats.entries = table.total("entries")
                let columns = dropColumns.compactMap { table.total($0) }
                stats.drops = columns.isEmpty ? nil : columns.reduce(0) { $0.addingReportingOverflow($1).overflow ? .max : $0 + $1 }
            case .failure(let problem):
                stats.problem = "line \(problem.line): \(problem.message)"
            }
        } catch {
            stats.problem = error.reasonText
        }
        return stats
    }

    /// "  netns 4026532177 (pid 4242 nginx): 100 entries / max 100 = 100%, 42 dropped since boot".
    public func line(max: Double?) -> String {
        guard let entries else { return "  \(displayName): unreadable (\(TerminalText.escape(problem ?? "?")))" }
        var text = "  \(displayName): \(formatNumber(Double(entries))) entries"
        if let max, max > 0 { text += " / max \(formatNumber(max)) = \(ValueText.percent(Double(entries) / max))" }
        text += drops.map { ", \(formatNumber(Double($0))) dropped since boot (drop + early_drop + insert_failed)" } ?? ""
        return text
    }
}
