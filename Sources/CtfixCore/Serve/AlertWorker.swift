import Foundation

/// Runs queued alert jobs one at a time through the `Executor` (which also takes the host lock,
/// so a person's `ctfix run` and an alert never overlap). Every job's end is audited
/// (`alert_run`) and kept in the queue file for dedupe.
public struct AlertWorker: Sendable {
    public let ctx: CtfixContext
    public let queue: AlertQueue
    public let audit: AuditLog
    public let budget: AttemptBudget
    /// `--audit-log`, handed to the executor so runs and decisions share one chain.
    public let auditLogPath: String?
    public let observer: any ServeObserver
    /// How long a run waits for another run's host lock.
    public var lockWait: Duration = .seconds(60)
    /// Skip the playbook's verification delay (tests only; serve itself always waits).
    public var skipVerifyDelay = false
    /// The playbook is read again for every job, and judged again: it may have changed since start-up.
    public var playbookTrust: PlaybookTrust = .process()

    public init(ctx: CtfixContext, queue: AlertQueue, audit: AuditLog, budget: AttemptBudget, auditLogPath: String?,
                observer: any ServeObserver = NoServeObserver()) {
        self.ctx = ctx
        self.queue = queue
        self.audit = audit
        self.budget = budget
        self.auditLogPath = auditLogPath
        self.observer = observer
    }

    /// Audits the jobs the queue re-queued at load (left running by a process that died).
    public func auditRequeued() async {
        for job in await queue.requeued {
            _ = try? audit.append(event: "alert_requeued", runID: "alert-\(job.key)", time: Date(), fields: [
                "job": .string(job.key), "fingerprint": .string(job.fingerprint),
                "reason": .string("found running at start-up (the previous ctfix serve stopped mid-run); queued again"),
            ])
        }
        for job in await queue.interrupted {
            _ = try? audit.append(event: "alert_run", runID: "alert-\(job.key)", time: Date(), fields: [
                "job": .string(job.key), "fingerprint": .string(job.fingerprint), "playbook": .string(job.playbookName),
                "mode": .string(job.mode.rawValue), "run_id": .null, "outcome": .string("interrupted"),
                "detail": .string("found running at start-up after \(job.starts ?? 1) start(s) (each stopped serve mid-run); not started again"),
            ])
            observer.jobFinished("interrupted")
            ctx.output.errorLine("ctfix serve: alert \(TerminalText.escape(job.alertName)) (\(TerminalText.escape(job.fingerprint))): interrupted \(job.starts ?? 1) time(s) mid-run; not started again")
        }
    }

    /// Processes jobs until `shouldStop` says so; polls the queue every `pollInterval` when idle.
    /// A run in progress is always finished before stopping.
    public func run(pollInterval: Duration = .milliseconds(100), shouldStop: @Sendable () -> Bool) async {
        while !shouldStop() {
            let worked = await runNext()
            if !worked { try? await Task.sleep(for: pollInterval) }
        }
    }

    /// Runs the oldest queued job; false when there was none (or the queue could not be read).
    @discardableResult
    public func runNext() async -> Bool {
        let job: AlertJob
        do {
            guard let next = try await queue.next() else { return false }
            job = next
        } catch {
            ctx.output.errorLine("ctfix serve: queue: \(error)")
            return false
        }
        observer.queueDepthChanged(await queue.depth)
        let (runID, outcome) = await execute(job)
        do {
            try await queue.finish(key: job.key, runID: runID, outcome: outcome)
        } catch {
            ctx.output.errorLine("ctfix serve: queue: \(error)")
        }
        return true
    }

    func execute(_ job: AlertJob) async -> (runID: String?, outcome: String) {
        let auditID = "alert-\(job.key)"
        let playbook: Playbook
        let parameters: [String: ParameterValue]
        do {
            playbook = try PlaybookLoader.load(path: job.playbookPath, trust: playbookTrust)
        } catch {
            return finish(job, auditID: auditID, runID: nil, outcome: "invalid", detail: "\(error)")
        }
        // The playbook is read again: its from_alerts declarations may have changed since intake,
        // and a job queued by an older ctfix was never checked. Before any parsing of the value.
        for (name, text) in job.settings.sorted(by: { $0.key < $1.key }) {
            if case .failure(let refusal) = AlertParameterPolicy.check(text, for: playbook.parameters.first { $0.name == name }, name: name) {
                return finish(job, auditID: auditID, runID: nil, outcome: "refused", detail: refusal.description)
            }
        }
        do {
            parameters = try playbook.resolveParameters(job.settings)
        } catch {
            return finish(job, auditID: auditID, runID: nil, outcome: "invalid", detail: "\(error)")
        }
        if job.mode == .unattended {
            do {
                var attempts = try ServeAttempts.load(ctx.fileSystem)
                let used = attempts.used(by: playbook.name, budget: budget, now: Date())
                guard used < budget.attempts else {
                    return finish(job, auditID: auditID, runID: nil, outcome: "over_budget",
                                  detail: "\(playbook.name) already started \(used) times within \(DurationText.format(budget.per))")
                }
                attempts.record(playbook.name, at: Date(), budget: budget)
                try attempts.save(ctx.fileSystem)
            } catch {
                return finish(job, auditID: auditID, runID: nil, outcome: "refused", detail: "attempt budget: \(error)")
            }
        }
        var options = RunOptions()
        options.trigger = job.trigger
        options.dryRun = job.mode == .dryRun
        options.assumeYes = job.mode == .unattended
        options.allowDestructive = job.allowDestructive
        options.settings = job.settings
        options.auditLogPath = auditLogPath
        options.lockWait = lockWait
        options.skipVerifyDelay = skipVerifyDelay
        options.argv = ["ctfix", "serve", "alert:\(job.key)"]
        // Counters are measured from the previous alert's sample when it is recent, so a run
        // does not wait `over:` again; kept across restarts of serve.
        let samples = CounterSampleStore.load(ctx.fileSystem, path: CounterSampleStore.servePath, maximumAge: .seconds(600))
        options.counterSamples = samples
        let report = await Executor(ctx: ctx, playbook: playbook, parameters: parameters, options: options).run()
        do { try samples.save(ctx.fileSystem, path: CounterSampleStore.servePath) } catch {
            ctx.output.errorLine("ctfix serve: cannot save counter samples: \(error)")
        }
        observer.runFinished(report.outcome, at: Date())
        return finish(job, auditID: auditID, runID: report.runID, outcome: report.outcome.rawValue,
                      detail: report.messages.last ?? "")
    }

    private func finish(_ job: AlertJob, auditID: String, runID: String?, outcome: String, detail: String) -> (String?, String) {
        do {
            try audit.append(event: "alert_run", runID: auditID, time: Date(), fields: [
                "job": .string(job.key), "fingerprint": .string(job.fingerprint), "playbook": .string(job.playbookName),
                "mode": .string(job.mode.rawValue), "run_id": runID.map { .string($0) } ?? .null,
                "outcome": .string(outcome), "detail": .string(detail),
            ])
        } catch {
            ctx.output.errorLine("ctfix serve: \(error)")
        }
        observer.jobFinished(outcome)
        ctx.output.line("alert \(TerminalText.escape(job.alertName)) (\(TerminalText.escape(job.fingerprint))): \(job.playbookName) \(job.mode.rawValue.replacingOccurrences(of: "_", with: "-")) → \(outcome)" + (runID.map { " (run \($0))" } ?? ""))
        return (runID, outcome)
    }
}
