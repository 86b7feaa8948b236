import Foundation

/// `ctfix audit show [--run ID]` and `ctfix audit verify`: read the audit log, check its chain.
public struct AuditCommand: Sendable {
    public enum Action: Sendable { case show(runID: String?), verify }

    public var action: Action
    /// `--audit-log PATH` on this machine; nil = the host's /var/log/ctfix/audit.jsonl.
    public var auditLogPath: String?
    public var json: Bool

    public init(action: Action, auditLogPath: String? = nil, json: Bool = false) {
        self.action = action
        self.auditLogPath = auditLogPath
        self.json = json
    }

    func log(_ ctx: CtfixContext) -> AuditLog {
        if let auditLogPath, let fileSystem = try? RootedFileSystem(root: "/") {
            let absolute = auditLogPath.hasPrefix("/") ? auditLogPath : FileManager.default.currentDirectoryPath + "/" + auditLogPath
            return AuditLog(fileSystem: fileSystem, path: absolute)
        }
        return AuditLog(fileSystem: ctx.fileSystem)
    }

    public func run(_ ctx: CtfixContext) -> ExitStatus {
        let log = log(ctx)
        switch action {
        case .show(let runID):
            let records: [AuditRecord]
            do { records = try log.records() } catch {
                ctx.output.errorLine("ctfix audit: \(error)")
                return .noInput
            }
            // Records of older versions are shown in today's spelling (LegacySpelling).
            let selected = (runID.map { id in records.filter { $0.runID == id } } ?? records).map(LegacySpelling.normalized)
            if let runID, selected.isEmpty {
                ctx.output.errorLine("ctfix audit: no records for run \(runID) in \(log.path)")
                return .noInput
            }
            if json {
                ctx.output.line(JSONOutput.encode(selected))
            } else {
                for record in selected { ctx.output.line(Self.describe(record)) }
            }
            return .ok
        case .verify:
            var result: AuditVerification
            do { result = try log.verify() } catch {
                ctx.output.errorLine("ctfix audit verify: \(error)")
                return .noInput
            }
            let running = stillRunning(result.interrupted, ctx)
            result.unfinishedRuns.removeAll { running.contains($0) }
            if json {
                ctx.output.line(JSONOutput.encode(result))
                return result.ok ? .ok : .failed
            }
            if result.ok {
                ctx.output.line("\(log.path): \(result.records) records, chain intact" + (result.problem.map { " (\($0))" } ?? ""))
            } else {
                ctx.output.line("\(log.path):\(result.firstBadLine ?? 0): \(TerminalText.content(result.problem ?? "broken"))")
            }
            for item in result.repairable { ctx.output.line("repairable: \(TerminalText.content(item))") }
            for note in result.notes { ctx.output.line("note: \(TerminalText.content(note))") }
            for run in result.interrupted {
                if running.contains(run.runID) {
                    ctx.output.line("run \(run.runID) (pid \(run.pid ?? 0)) is still running: it holds the host lock")
                } else {
                    ctx.output.line(TerminalText.content(run.sentence))
                }
            }
            return result.ok ? .ok : .failed
        }
    }

    /// Unfinished runs that are in fact still running: the host lock's holder file names them
    /// and their process is alive.
    func stillRunning(_ runs: [UnfinishedRun], _ ctx: CtfixContext) -> Set<String> {
        guard let holder = HostRunLock(fileSystem: ctx.fileSystem).currentHolder(), ProcessLiveness.isAlive(holder.pid) else { return [] }
        return Set(runs.filter { $0.runID == holder.runID }.map(\.runID))
    }

    static func describe(_ record: AuditRecord) -> String {
        let time = ISO8601Time.rounded(record.time)
        var parts: [String] = []
        // serve's records: each decision says which it is, the route and why (no_route has no
        // playbook; queued and deduped name the same one); serve_stop says what was handled.
        for key in ["decision", "alertname", "route", "outcome", "action", "status", "mode", "playbook", "trigger", "state",
                    "listen", "alerts", "jobs", "reason", "message", "error"] {
            if let value = record.fields[key] {
                switch value {
                case .string(let s): parts.append("\(key)=\(TerminalText.escape(s))")
                case .number(let n): parts.append("\(key)=\(formatNumber(n))")
                case .bool(let b): parts.append("\(key)=\(b)")
                case .object(let counts):
                    let items = counts.sorted { $0.key < $1.key }.compactMap { item in
                        item.value.numberValue.map { "\(TerminalText.escape(item.key)):\(formatNumber($0))" }
                    }
                    parts.append("\(key)=" + (items.isEmpty ? "none" : items.joined(separator: ",")))
                default: continue
                }
            }
        }
        if case .array(let steps)? = record.fields["steps"] {
            for step in steps {
                if let summary = step["summary"]?.stringValue { parts.append("[\(TerminalText.escape(summary))]") }
            }
        }
        // Records hold outside text (alert labels, log lines, file values) exactly; shown escaped.
        return "\(record.seq) \(time) \(TerminalText.escape(record.runID)) \(TerminalText.escape(record.event)) " + parts.joined(separator: " ")
    }
}
