import Foundation

/// The decisions of `ctfix watch`, apart from where lines come from: which playbooks a new
/// kernel-log line concerns, whether their detection fires, and running them one at a time
/// under the unattended policy. Every decision is written to the audit log before the run.
public final class WatchSession {
    public let ctx: CtfixContext
    public let playbooks: [WatchedPlaybook]
    public let options: WatchOptions
    public var state: WatchState
    /// The id watch records carry (runs have their own, named in `watch_run`).
    public let sessionID: String
    let audit: AuditLog
    private var parser: KernelLogLineParser
    /// Playbooks whose "still firing, within cooldown" skip was already recorded for their
    /// last trigger, so an interval tick does not repeat it every 30 s.
    private var announcedSkips: [String: Date] = [:]

    public init(ctx: CtfixContext, playbooks: [WatchedPlaybook], options: WatchOptions, state: WatchState) {
        self.ctx = ctx
        self.playbooks = playbooks
        self.options = options
        self.state = state
        let now = ctx.clock.now()
        sessionID = "watch-" + Executor.makeRunID(now)
        audit = options.auditLog(for: ctx.fileSystem)
        parser = KernelLogLineParser(now: now, timeZone: HostTimeFacts.timeZone(of: ctx),
                                     bootTime: HostTimeFacts.bootTime(of: ctx.fileSystem, now: now))
    }

    /// One run watch started, and how it ended.
    public struct RunSummary: Sendable, Equatable {
        public var playbook: String
        public var runID: String
        public var outcome: RunOutcome
        public var trigger: String
    }

    /// Records a watch event; a watcher that cannot audit says so but keeps the runs' own
    /// policy (a real run that cannot audit refuses by itself).
    func record(_ event: String, _ fields: [String: JSONValue]) {
        do {
            try audit.append(event: event, runID: sessionID, time: Date(), fields: fields)
        } catch {
            ctx.output.errorLine("ctfix watch: \(error)")
        }
    }

    /// New lines from `source`: each kernel line that matches a playbook's log pattern
    /// triggers that playbook's full detection (once per batch per playbook).
    public func handle(lines: [String], source: String) async -> [RunSummary] {
        parser.now = ctx.clock.now()
        var triggered: [(index: Int, line: String)] = []
        for line in lines where !line.isEmpty {
            let parsed = parser.parse(line)
            for (index, watched) in playbooks.enumerated()
            where !triggered.contains(where: { $0.index == index }) && watched.isInterested(in: parsed) {
                triggered.append((index, line))
            }
        }
        var runs: [RunSummary] = []
        for (index, line) in triggered {
            let watched = playbooks[index]
            record("watch_trigger", ["playbook": .string(watched.playbook.name), "source": .string(source),
                                     "line": .string(line)])
            if let run = await evaluateAndRun(watched, source: source, reason: "line") { runs.append(run) }
        }
        return runs
    }

    /// The interval tick: every playbook's whole detection, value predicates included.
    public func evaluateAll() async -> [RunSummary] {
        var runs: [RunSummary] = []
        for watched in playbooks {
            if let run = await evaluateAndRun(watched, source: "interval", reason: "interval") { runs.append(run) }
        }
        return runs
    }

    private func evaluateAndRun(_ watched: WatchedPlaybook, source: String, reason: String) async -> RunSummary? {
        let name = watched.playbook.name
        let lastTrigger = state.lastTriggered[name]
        let evaluation = EvaluationContext(host: ctx, parameters: watched.parameters.numericValues, notBefore: lastTrigger)
        let result = await watched.playbook.detect.evaluate(in: evaluation)
        let isLine = reason == "line"
        var fields: [String: JSONValue] = ["playbook": .string(name), "source": .string(source),
                                           "detection": .string(result.state.rawValue), "detail": .string(result.detail)]
        guard result.state == .holds else {
            // A quiet interval tick is not worth a record every 30 s; a matching line is.
            if isLine {
                fields["decision"] = "skip"
                fields["reason"] = .string(result.state == .unknown ? "detection could not be evaluated" : "detection does not fire")
                record("watch_decision", fields)
            }
            return nil
        }
        let now = ctx.clock.now()
        if let lastTrigger, let cooldown = watched.playbook.cooldown, now < lastTrigger.addingTimeInterval(cooldown.seconds) {
            if isLine || announcedSkips[name] != lastTrigger {
                announcedSkips[name] = lastTrigger
                fields["decision"] = "skip"
                fields["reason"] = .string("triggered at \(lastTrigger.formatted(.iso8601)); cooldown \(DurationText.format(cooldown)) not over")
                record("watch_decision", fields)
            }
            return nil
        }
        fields["decision"] = "run"
        fields["mode"] = .string(options.dryRun ? "dry-run" : "unattended")
        record("watch_decision", fields)
        // Saved with the position after the run: a watcher that dies mid-run re-reads the line
        // and retries (the audit log shows the unfinished run); not saving here keeps three
        // fsyncs off the path from the line to the action's intent.
        state.lastTriggered[name] = now
        let runOptions = options.runOptions(source: source)
        let report = await Executor(ctx: ctx, playbook: watched.playbook, parameters: watched.parameters, options: runOptions).run()
        record("watch_run", ["playbook": .string(name), "run_id": .string(report.runID), "outcome": .string(report.outcome.rawValue)])
        saveState()
        ctx.output.line("ctfix watch: \(name) (\(source)): run \(report.runID) \(report.outcome.rawValue)"
                        + (report.messages.last.map { ": \($0)" } ?? ""))
        return RunSummary(playbook: name, runID: report.runID, outcome: report.outcome, trigger: runOptions.trigger)
    }

    /// Saves the position and trigger times; a failure is reported, not fatal.
    public func saveState() {
        do {
            try state.save(ctx.fileSystem)
        } catch {
            ctx.output.errorLine("ctfix watch: cannot save position: \(error)")
        }
    }
}
