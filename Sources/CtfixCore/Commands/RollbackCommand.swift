import Foundation

/// `ctfix rollback RUN_ID`: undo what a finished run changed, from the before-values its audit
/// records hold, newest change first. A value that changed again since the run is left alone
/// (someone else owns it now) unless `force`.
public struct RollbackCommand: Sendable {
    public var runID: String
    public var auditLogPath: String?
    public var assumeYes: Bool
    public var force: Bool
    public var dryRun: Bool
    /// `--json`: one object at the end instead of lines (`RollbackReport`).
    public var json: Bool
    /// `--detailed-exitcodes`: exit 2 (`changed`) when something was restored.
    public var detailedExitCodes: Bool

    public init(runID: String, auditLogPath: String? = nil, assumeYes: Bool = false, force: Bool = false, dryRun: Bool = false,
                json: Bool = false, detailedExitCodes: Bool = false) {
        self.runID = runID
        self.auditLogPath = auditLogPath
        self.assumeYes = assumeYes
        self.force = force
        self.dryRun = dryRun
        self.json = json
        self.detailedExitCodes = detailedExitCodes
    }

    public func run(_ ctx: CtfixContext) async -> ExitStatus {
        let log = AuditCommand(action: .verify, auditLogPath: auditLogPath).log(ctx)
        // (A link there is refused by name by the reader below, before anything is judged.)
        if auditLogPath != nil, ctx.isLiveHost, !log.fileSystem.isSymbolicLink(log.path), let distrust = Self.distrust(log.path, ctx) {
            ctx.output.errorLine("ctfix rollback: \(distrust)")
            return .invalidInput
        }
        let records: [AuditRecord]
        do { records = try log.records() } catch {
            ctx.output.errorLine("ctfix rollback: \(error)")
            return .noInput
        }
        guard !records.filter({ $0.runID == runID }).isEmpty else {
            ctx.output.errorLine("ctfix rollback: no run \(runID) in \(log.path)")
            return .noInput
        }
        let report = RollbackReport(ctx: ctx, json: json, runID: runID, dryRun: dryRun, auditLog: log.path)
        let all = Self.appliedSteps(of: runID, in: records)
        guard !all.isEmpty else {
            report.message("run \(runID) changed nothing that can be undone")
            return report.finish("nothing_to_undo", .ok)
        }
        let (changes, earlier) = Self.withoutEarlierRollbacks(all, of: runID, in: records)
        guard !changes.isEmpty else {
            report.message("run \(runID) was already rolled back (by run \(earlier.joined(separator: ", "))); nothing left to undo")
            return report.finish("already_rolled_back", .ok)
        }
        var plan: [PlannedStep] = []
        // What each path will hold as the undo steps run in order (a file written twice by the
        // run is restored in two steps).
        var expected: [String: String?] = [:]
        for step in changes.reversed() {
            guard let undo = step.undo else {
                report.step("cannot_undo", step.summaryLine, line: "cannot undo: \(TerminalText.content(step.summaryLine))")
                continue
            }
            if Self.alreadyRestored(undo, ctx.fileSystem, expected: expected) {
                report.step("already_restored", undo.summaryLine, line: "already restored: \(TerminalText.content(undo.summaryLine))")
                continue
            }
            if !force, let conflict = Self.conflict(undo, ctx.fileSystem, expected: expected) {
                report.step("left_alone", undo.summaryLine, detail: conflict,
                            line: "left alone: \(TerminalText.content(conflict)) (use --force to restore anyway)")
                continue
            }
            if case .writeFile(let path, _, let after, _, _) = undo { expected[path] = .some(after) }
            plan.append(undo)
        }
        if plan.isEmpty {
            report.message("nothing to restore for run \(runID)")
            return report.finish("nothing_to_undo", .ok)
        }
        if !json { ctx.output.line("Rollback of run \(runID):") }
        for step in plan { report.step("planned", step.summaryLine, line: "  \(TerminalText.content(step.summaryLine))") }
        if dryRun { return report.finish("dry_run", .ok) }
        if !assumeYes {
            guard ctx.terminal.isInteractive else {
                report.problem("no terminal to confirm on and no --yes: refusing")
                return report.finish("refused", .refused)
            }
            guard let answer = ctx.terminal.ask("Roll back these \(plan.count) change(s)? [y/N]: "), ["y", "yes"].contains(answer.lowercased()) else {
                return report.finish("declined", .declined)
            }
        }
        let rollbackID = Executor.makeRunID(Date())
        report.rollbackRunID = rollbackID
        let audit = RunAudit(log: log, runID: rollbackID, clock: SystemClock())
        do {
            try audit.record("run_start", ["mode": "rollback", "trigger": .string("rollback:\(runID)"), "rolls_back": .string(runID)])
        } catch {
            report.problem("refusing to roll back: \(error)")
            return report.finish("refused", .refused)
        }
        let applier = StepApplier(context: ctx, runID: rollbackID)
        var failed = false
        for step in plan {
            do {
                try audit.record("intent", ["steps": .from([step])])
                let result = try await applier.apply(step)
                try audit.record("outcome", ["status": "applied", "steps": .from([step])])
                report.step("restored", step.summaryLine, detail: result.message, line: "restored: \(TerminalText.content(result.message))")
            } catch let error as StepApplier.Failure {
                failed = true
                try? audit.record("outcome", ["status": "failed", "error": .string(error.message)])
                report.step("failed", step.summaryLine, detail: error.message, line: "failed: \(TerminalText.content(error.message))")
                break
            } catch {
                failed = true
                report.step("failed", step.summaryLine, detail: "\(error)", line: "stopped: \(error)")
                break
            }
        }
        try? audit.record("run_end", ["outcome": .string(failed ? "failed" : "rolled_back")])
        return failed ? report.finish("failed", .failed)
            : report.finish("rolled_back", ExitStatus.ok.detailed(changed: true, enabled: detailedExitCodes))
    }

    /// Why an audit log named with `--audit-log` may not steer a rollback of this machine, or
    /// nil. Its records say what to write where (`before` content back to a path), so as root
    /// it is judged like a playbook (`PlaybookTrust`): a log anyone else can write would let
    /// them "restore" `/etc/passwd` to their own text. The default log (created by ctfix, mode
    /// 0600) and a root that is not this machine (its writes stay inside it) are not judged.
    static func distrust(_ path: String, _ ctx: CtfixContext) -> String? {
        do {
            _ = try PlaybookTrust.process(environment: ctx.environment).read(path)
        } catch .untrusted(let violation) {
            let why = violation.description.dropFirst(PlaybookTrust.Violation.prefix.count)
                .replacingOccurrences(of: "what ctfix runs as root", with: "what ctfix restores as root")
                .replacingOccurrences(of: "move the playbook", with: "move the audit log")
                .replacingOccurrences(of: ", e.g. to /etc/ctfix/playbooks", with: "")
            return "untrusted audit log \(path):\(why)"
        } catch {
            return nil // missing or unreadable: reported by the reader below
        }
        return nil
    }

    /// The steps a run completed, in order, from its `outcome` records (applied actions) and
    /// its failed actions' `changed` lists; steps already rolled back within the run are dropped.
    static func appliedSteps(of runID: String, in records: [AuditRecord]) -> [PlannedStep] {
        var steps: [PlannedStep] = []
        let decoder = JSONDecoder()
        for record in records where record.runID == runID {
            switch (record.event, record.fields["status"]?.stringValue) {
            case ("outcome", "applied"):
                guard case .array(let items)? = record.fields["steps"] else { continue }
                for item in items {
                    let stepValue = item["step"] ?? item
                    if let data = try? JSONEncoder().encode(stepValue), let step = try? decoder.decode(PlannedStep.self, from: data) {
                        steps.append(step)
                    }
                }
            case ("outcome", "failed"), ("outcome", "interrupted"), ("outcome", "simulated"):
                guard case .array(let items)? = record.fields["changed"] else { continue }
                for item in items {
                    if let data = try? JSONEncoder().encode(item), let step = try? decoder.decode(PlannedStep.self, from: data) {
                        steps.append(step)
                    }
                }
            case ("rollback_outcome", "restored"):
                if let undo = record.fields["step"], let data = try? JSONEncoder().encode(undo),
                   let step = try? decoder.decode(PlannedStep.self, from: data), let original = step.undo {
                    steps.removeAll { Self.sameChange($0, original) }
                }
            default:
                continue
            }
        }
        return steps
    }

    /// The run's steps minus those a later `ctfix rollback` of it already undid, and the ids of
    /// those rollback runs.
    static func withoutEarlierRollbacks(_ steps: [PlannedStep], of runID: String, in records: [AuditRecord]) -> ([PlannedStep], [String]) {
        let rollbackRuns = Set(records.filter { $0.event == "run_start" && $0.fields["rolls_back"]?.stringValue == runID }.map(\.runID))
        guard !rollbackRuns.isEmpty else { return (steps, []) }
        var remaining = steps
        var used: [String] = []
        let decoder = JSONDecoder()
        for record in records where rollbackRuns.contains(record.runID) && record.event == "outcome" && record.fields["status"]?.stringValue == "applied" {
            guard case .array(let items)? = record.fields["steps"] else { continue }
            for item in items {
                guard let data = try? JSONEncoder().encode(item), let undo = try? decoder.decode(PlannedStep.self, from: data),
                      let original = undo.undo, let index = remaining.lastIndex(where: { Self.sameChange($0, original) }) else { continue }
                remaining.remove(at: index)
                if !used.contains(record.runID) { used.append(record.runID) }
            }
        }
        return (remaining, used)
    }

    /// The same change of the host: what an undo of an undo gives back lacks the original's diff
    /// and backup path, which say how it was shown, not what it changed.
    static func sameChange(_ a: PlannedStep, _ b: PlannedStep) -> Bool {
        if case .writeFile(let path, let before, let after, _, _) = a, case .writeFile(let otherPath, let otherBefore, let otherAfter, _, _) = b {
            return path == otherPath && before == otherBefore && after == otherAfter
        }
        return a == b
    }

    /// True when the host already holds what the undo step would restore (a value set back by
    /// hand, or by an earlier rollback): nothing to do, and no conflict either.
    static func alreadyRestored(_ undo: PlannedStep, _ fileSystem: any FileSystem, expected: [String: String?] = [:]) -> Bool {
        switch undo {
        case .setValue(let path, _, _, let original):
            guard let current = try? fileSystem.readText(path).trimmed(.whitespacesAndNewlines) else { return false }
            return StepApplier.sameValue(current, original)
        case .writeFile(let path, _, let original, _, _):
            let current = expected[path] ?? (fileSystem.exists(path) ? try? fileSystem.readText(path) : nil)
            return current == original
        default:
            return false
        }
    }

    /// Why restoring would overwrite someone else's later change, or nil.
    static func conflict(_ undo: PlannedStep, _ fileSystem: any FileSystem, expected: [String: String?] = [:]) -> String? {
        switch undo {
        case .setValue(let path, let name, let expected, _):
            guard let current = try? fileSystem.readText(path).trimmed(.whitespacesAndNewlines) else {
                return "\(name) cannot be read"
            }
            return StepApplier.sameValue(current, expected) ? nil : "\(name) is \(current) now, not \(expected) as the run left it"
        case .writeFile(let path, let wanted, _, _, _):
            let current = expected[path] ?? (try? fileSystem.readText(path))
            return current == wanted ? nil : "\(path) changed since the run"
        default:
            return nil
        }
    }
}
