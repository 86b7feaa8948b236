import Foundation

/// One network namespace's conntrack table as `status` shows it: its own count (the `entries`
/// column of its `/proc/…/net/stat/nf_conntrack`) against the one global `nf_conntrack_max`,
/// and what its table dropped since boot. `status` used to read only its own namespace and
/// said "0 / 100 = 0% full" while another namespace held 100 entries and dropped packets.
public struct NamespaceConntrackUsage: Sendable, Equatable, Encodable {
    public var id: UInt64
    public var pid: Int32
    public var process: String?
    public var initial: Bool
    public var entries: UInt64?
    public var usage: Double?
    public var drop: UInt64?
    public var earlyDrop: UInt64?
    public var insertFailed: UInt64?
    /// Why the numbers are missing, when they are.
    public var problem: String?

    enum CodingKeys: String, CodingKey {
        case id, pid, process, initial, entries, usage, drop
        case earlyDrop = "early_drop", insertFailed = "insert_failed", problem
    }

    var namespace: NetNamespace {
        NetNamespace(id: id, pid: pid, processName: process, processCount: 0, isInitial: initial)
    }

    /// Every namespace with a process, initial first; `max` is the global limit (nil unknown).
    public static func read(in fileSystem: any FileSystem, max: Double?) -> [NamespaceConntrackUsage] {
        NetNamespaces.discover(in: fileSystem).map { namespace in
            var usage = NamespaceConntrackUsage(id: namespace.id, pid: namespace.pid, process: namespace.processName,
                                                initial: namespace.isInitial)
            let candidates = ["nf_conntrack", "ip_conntrack"].map { namespace.procNet + "/stat/" + $0 }
            guard let path = candidates.first(where: { fileSystem.exists($0) }) else {
                usage.problem = "no \(candidates[0]) (conntrack not active in this namespace)"
                return usage
            }
            let text: String
            do { text = try fileSystem.readText(path) } catch let error as FileSystemError {
                usage.problem = error.description
                return usage
            } catch {
                usage.problem = "\(path): \(error)"
                return usage
            }
            switch KernelStatTable.parse(text) {
            case .failure(let failure):
                usage.problem = "\(path):\(failure.line): \(failure.message)"
            case .success(let table):
                usage.entries = table.total("entries")
                usage.drop = table.total("drop")
                usage.earlyDrop = table.total("early_drop")
                usage.insertFailed = table.total("insert_failed")
                if let entries = usage.entries, let max, max > 0 { usage.usage = Double(entries) / max }
            }
            return usage
        }
    }

    /// One line for `status`.
    public var textLine: String {
        let name = namespace.displayName
        guard problem == nil, let entries else { return "  \(name): \(TerminalText.escape(problem ?? "unreadable"))" }
        var line = "  \(name): \(formatNumber(Double(entries))) entries"
        if let usage { line += " (\(ValueText.percent(usage)) of max)" }
        line += "; since boot: \(formatNumber(Double(drop ?? 0))) dropped, \(formatNumber(Double(earlyDrop ?? 0))) early-dropped, \(formatNumber(Double(insertFailed ?? 0))) insert failures"
        return line
    }
}
