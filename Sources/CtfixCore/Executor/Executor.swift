import Foundation

/// Runs a playbook: detect, plan, confirm, apply, verify — writing each step to the audit log
/// before taking it. One instance per run.
public final class Executor: @unchecked Sendable {
    let ctx: CtfixContext
    let options: RunOptions
    let playbook: Playbook
    let parameters: [String: ParameterValue]
    let runID: String
    /// Read once per run: the host name for the report and prompts, the numbers for plans.
    let facts: HostFacts
    var audit: RunAudit
    var report: RunReport
    /// The steps each started action really executed, in order (simulated steps excluded):
    /// what a rollback undoes and what `run_end` reports as the host's state.
    var changes: [(action: Int, steps: [PlannedStep])] = []

    /// `parameters` are already resolved (`Playbook.resolveParameters`).
    public init(ctx: CtfixContext, playbook: Playbook, parameters: [String: ParameterValue], options: RunOptions) {
        self.ctx = ctx
        self.playbook = playbook
        self.parameters = parameters
        self.options = options
        let now = ctx.clock.now()
        runID = Executor.makeRunID(Date())
        audit = RunAudit(log: nil, runID: runID, clock: SystemClock())
        let facts = HostFacts.read(ctx.fileSystem)
        self.facts = facts
        report = RunReport(runID: runID, playbook: playbook.path, name: playbook.name, sha256: playbook.sha256,
                           host: facts.hostName, mode: options.modeName, trigger: options.trigger, outcome: .healthy,
                           firing: false, forced: options.force, evidence: nil, actions: [], verification: nil,
                           messages: [], auditLog: nil)
    }

    static func makeRunID(_ now: Date) -> String {
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        return runIDTime(now) + "-" + String(repeating: "0", count: 8 - suffix.count) + suffix
    }

    /// `yyyyMMdd'T'HHmmss'Z'` in UTC, from the C library's calendar (a `DateFormatter` opened
    /// an ICU date formatter: about a twentieth of a dry-run's CPU).
    static func runIDTime(_ now: Date) -> String {
        var seconds = time_t(now.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)\(two(parts.tm_mon + 1))\(two(parts.tm_mday))T\(two(parts.tm_hour))\(two(parts.tm_min))\(two(parts.tm_sec))Z"
    }

    /// Runs to the end and returns the report; never throws: every failure is an outcome.
    public func run() async -> RunReport {
        // 1. The audit log comes first: a real run that cannot write it does not start.
        let log = auditLog()
        report.auditLog = log.path
        audit = RunAudit(log: log, runID: runID, clock: SystemClock())
        do {
            try audit.record("run_start", [
                "playbook": .string(playbook.path), "name": .string(playbook.name), "sha256": .string(playbook.sha256),
                "host": .string(report.host), "uid": .number(Double(getuid())), "pid": .number(Double(getpid())),
                "sudo_user": ctx.environment["SUDO_USER"].map { .string($0) } ?? .null,
                "mode": .string(options.modeName), "trigger": .string(options.trigger),
                "argv": .array(options.argv.map { .string($0) }),
                "parameters": .object(parameters.mapValues { .string($0.description) }),
                "root": .string(ctx.fileSystem.rootDescription),
            ])
        } catch {
            if options.dryRun {
                report.messages.append("warning: \(error); this dry-run is not audited")
                audit = RunAudit(log: nil, runID: runID, clock: SystemClock())
            } else {
                return finish(.refused, "refusing to run: \(error) (a run that cannot be audited changes nothing)")
            }
        }

        // 2. Nobody to ask and nobody said yes: refuse before reading anything else.
        if !options.dryRun, !options.assumeYes, !ctx.terminal.isInteractive {
            return finish(.refused, "no terminal to confirm on and no --yes: refusing (use --dry-run to review, --yes for automation)")
        }

        // 3. One run per host.
        var lock: (any HostLockHandle)?
        if !options.dryRun {
            let holder = HostRunLock.Holder(runID: runID, pid: getpid(), playbook: playbook.name, since: ctx.clock.now())
            do {
                lock = try takeHostLock(as: holder)
            } catch {
                return finish(.busy, "\(error)")
            }
            if lock == nil { return finish(.interrupted, "interrupted by \(options.interruption.signalName) while waiting for the host lock; nothing was changed") }
        }
        defer { withExtendedLifetime(lock) {} }

        // 4. Detect.
        let evaluation = EvaluationContext(host: ctx, parameters: parameters.numericValues,
                                           showsProgress: WaitNotice.choose(ctx, json: options.json),
                                           sustainedHistory: options.sustainedHistory, counterSamples: options.counterSamples)
        let evidence = await playbook.detect.evaluate(in: evaluation)
        report.evidence = evidence
        report.firing = evidence.state == .holds
        if !recordOrStop("evidence", ["state": .string(evidence.state.rawValue), "evidence": .from(evidence)]) { return report }
        if !report.firing && !options.force {
            let why = evidence.state == .unknown ? "detection could not be evaluated (\(evidence.headline)); nothing done — use --force to act anyway"
                : "detection does not fire: nothing to do"
            return finish(evidence.state == .unknown ? .refused : .healthy, why)
        }
        if !report.firing { report.messages.append("--force: acting although detection does not fire") }

        // 5. Plan every action from live values.
        var planContext = PlanContext(evaluation: evaluation, parameters: parameters, facts: facts, runID: runID,
                                      playbookName: playbook.name, force: options.force)
        planContext.namespacesInTrouble = evidence.namedNamespaces
        var plans: [ActionPlan] = []
        for action in playbook.actions {
            plans.append(await plan(action, planContext))
        }
        report.actions = zip(playbook.actions, plans).map { ActionReport($0, plan: $1) }
        // Containment: under a root that is not this machine, programs and reboots are only shown.
        if !ctx.isLiveHost { for index in report.actions.indices { Self.markSimulated(&report.actions[index]) } }
        if !recordOrStop("plan", ["actions": .from(report.actions)]) { return report }
        if !options.json { ctx.show(EvidenceReport.text(report) + "\n" + report.plan() + "\n") }
        if let note = thisMachineNote() {
            report.messages.append(note)
            if !options.json { ctx.output.line(note + "\n") }
        }

        // Inside a non-initial network namespace a global key cannot be written: refuse the
        // whole run before any change rather than apply half of it and fail on the rest.
        if let command = plans.compactMap(\.hostCommand).first {
            let why = "refusing: this run needs the initial network namespace (see the refused action above); nothing was changed. Run \(command)"
            if !options.dryRun { return finish(.refused, why) }
            report.messages.append(why)
        }
        if options.dryRun { return finish(.dryRun, "dry-run: nothing was changed") }
        if options.interruption.isRequested { return finish(.interrupted, "interrupted by \(options.interruption.signalName) before any change") }

        // 6. Policy (unattended), then confirmation and application, action by action.
        if let refusal = policyRefusal(facts: facts) { return finish(.refused, refusal) }
        return await applyAll(planContext: planContext, facts: facts)
    }

    func plan(_ action: PlaybookAction, _ context: PlanContext) async -> ActionPlan {
        if let when = action.when {
            let result = await when.evaluate(in: context.evaluation)
            if result.state != .holds {
                return ActionPlan(status: .skipped, reason: "when: \(result.predicate) — \(result.detail)")
            }
        }
        guard let plannable = action.kind as? any PlannableAction else {
            return .refused("ctfix cannot execute \(type(of: action.kind).keyword) actions yet")
        }
        return await plannable.plan(in: context)
    }

    /// Waits for the host lock in short slices so that `--wait` never outlasts a Ctrl-C; nil
    /// when interrupted while waiting.
    func acquireLock(as holder: HostRunLock.Holder) throws(HostRunLock.Failure) -> (any HostLockHandle)? {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: options.lockWait)
        while true {
            let slice = min(max(clock.now.duration(to: deadline), .zero), .milliseconds(200))
            do {
                return try HostRunLock(fileSystem: ctx.fileSystem).acquire(as: holder, wait: slice)
            } catch {
                guard case .busy = error, clock.now < deadline else { throw error }
                if options.interruption.isRequested { return nil }
            }
        }
    }

    func auditLog() -> AuditLog {
        if let path = options.auditLogPath, let fileSystem = try? RootedFileSystem(root: "/") {
            let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
            return AuditLog(fileSystem: fileSystem, path: absolute)
        }
        return AuditLog(fileSystem: ctx.fileSystem)
    }

    /// Records an event; on failure ends the run (no further step without its record).
    func recordOrStop(_ event: String, _ fields: [String: JSONValue]) -> Bool {
        do {
            try audit.record(event, fields)
            return true
        } catch {
            _ = finish(.failed, "stopped: \(error); nothing further was changed")
            return false
        }
    }

    /// Ends the run: the final record, the policy state, the report.
    @discardableResult
    func finish(_ outcome: RunOutcome, _ message: String) -> RunReport {
        report.outcome = outcome
        let now = hostNow()
        // A stopped run says exactly what it left behind, in its one closing message.
        let stopped = (outcome == .interrupted || outcome == .failed) && !now.isEmpty
        let message = stopped ? message + "; the host now holds: " + now.joined(separator: "; ") : message
        report.messages.append(message)
        let state = report.actions.map { "\($0.name)=\($0.status.rawValue)" }.joined(separator: ", ")
        var fields: [String: JSONValue] = ["outcome": .string(outcome.rawValue), "message": .string(message), "actions": .string(state)]
        if !now.isEmpty { fields["host_now"] = .array(now.map { .string($0) }) }
        try? audit.record("run_end", fields)
        return report
    }
}

/// The audit log of one run; a nil log is a dry-run that could not be audited. Records carry
/// wall-clock time even when windows are evaluated as of a snapshot's capture time.
struct RunAudit {
    let log: AuditLog?
    let runID: String
    let clock: any HostClock

    func record(_ event: String, _ fields: [String: JSONValue]) throws(AuditError) {
        guard let log else { return }
        try log.append(event: event, runID: runID, time: clock.now(), fields: fields)
    }
}
