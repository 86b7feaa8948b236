import Foundation

/// The decisions of `ctfix watch`, apart from where lines come from: which playbooks a new
/// kernel-log line concerns, whether their detection fires on lines not yet acted on, and
/// running them one at a time under the unattended policy. Every decision is written to the
/// audit log before the run; every skip is printed and audited (rate-limited, with a count).
public final class WatchSession {
    public let ctx: CtfixContext
    public let playbooks: [WatchedPlaybook]
    public let options: WatchOptions
    public var state: WatchState
    /// The id watch records carry (runs have their own, named in `watch_run`).
    public let sessionID: String
    /// Every followed source's name (a source with no new line still counts as read).
    var sourceNames: [String] = []
    let audit: AuditLog
    private var parser: KernelLogLineParser
    private var skips = WatchSkipReporter()
    /// Per source, the number the next line read gets (for notice attribution).
    private var nextIndex: [String: Int] = [:]
    /// Per playbook, the streaks of its `for:` conditions (saved with the state).
    private var sustained: [String: SustainedHistory] = [:]
    /// Counter samples shared by every playbook (a sample of a file is a sample whoever reads it).
    lazy var counterSamples = CounterSampleStore(state.counterSamples)

    /// A `for:` streak survives a gap between evaluations of at most three intervals (and at
    /// least a minute): longer, and watch cannot say the condition held at every evaluation.
    var sustainedGap: Duration { max(options.interval * 3, .seconds(60)) }

    func history(for name: String) -> SustainedHistory {
        if let known = sustained[name] { return known }
        let made = SustainedHistory(state.sustained[name] ?? [:], maximumGap: sustainedGap)
        sustained[name] = made
        return made
    }

    public init(ctx: CtfixContext, playbooks: [WatchedPlaybook], options: WatchOptions, state: WatchState) {
        self.ctx = ctx
        self.playbooks = playbooks
        self.options = options
        self.state = state
        let now = ctx.clock.now()
        sessionID = "watch-" + Executor.makeRunID(now)
        audit = options.auditLog(for: ctx.fileSystem)
        parser = KernelLogLineParser(now: now, zone: HostTimeFacts.timeZone(of: ctx),
                                     bootTime: HostTimeFacts.bootTime(of: ctx.fileSystem, now: now))
        // Lines kept before a playbook was watched are history for it.
        for watched in playbooks where self.state.evidence.actedThrough[watched.playbook.name] == nil {
            self.state.evidence.actedThrough[watched.playbook.name] = self.state.evidence.lastSerial
        }
    }

    /// One run watch started, and how it ended.
    public struct RunSummary: Sendable, Equatable {
        public var playbook: String
        public var runID: String
        public var outcome: RunOutcome
        public var trigger: String
        /// Whether it changed something (and so started the cooldown).
        public var changed: Bool
    }

    /// Records a watch event; a watcher that cannot audit says so but keeps the runs' own
    /// policy (a real run that cannot audit refuses by itself).
    func record(_ event: String, _ fields: [String: JSONValue]) {
        let time = Date()
        do {
            try audit.append(event: event, runID: sessionID, time: time, fields: fields)
        } catch {
            ctx.output.errorLine("ctfix watch: \(error)")
        }
        if options.json { emit(event, fields, time: time) }
    }

    /// `--json`: one compact JSON line per event, the audit record's fields with `event`,
    /// `watch_id` and `time`.
    func emit(_ event: String, _ fields: [String: JSONValue], time: Date = Date()) {
        var object = fields
        object["event"] = .string(event)
        object["watch_id"] = .string(sessionID)
        object["time"] = .string(PreciseTime.format(time))
        ctx.output.line(JSONValue.object(object).compactText)
    }

    /// Keeps the new lines of `source` that matter to a watched playbook (a match of one of its
    /// patterns, or a rate-limiter notice) as evidence, and returns the playbooks a new
    /// matching line triggers, with that line. `notBefore` (`--lookback` on a first start)
    /// drops lines logged earlier, and lines without a time.
    public func ingest(lines: [String], source: String, notBefore: Date? = nil) -> [(playbook: Int, line: String)] {
        parser.now = ctx.clock.now()
        var triggered: [(playbook: Int, line: String)] = []
        var index = nextIndex[source] ?? state.evidence.nextIndex(for: source)
        for line in lines {
            index += 1
            guard !line.isEmpty else { continue }
            let parsed = parser.parse(line)
            if let notBefore, (parsed.time.map { $0 < notBefore } ?? true) { continue }
            var relevant = false
            for (number, watched) in playbooks.enumerated() where watched.isInterested(in: parsed) {
                relevant = true
                if !triggered.contains(where: { $0.playbook == number }) { triggered.append((number, line)) }
            }
            if !relevant, parsed.format != .kmsgContinuation, SuppressionNotice.suppressedCount(in: parsed.message) != nil {
                relevant = true
            }
            if relevant { state.evidence.append(line, source: source, index: index, time: parsed.time) }
        }
        nextIndex[source] = index
        return triggered
    }

    /// New lines from `source`: kept as evidence; each playbook a matching line concerns has
    /// its full detection evaluated at once (once per batch per playbook).
    public func handle(lines: [String], source: String, notBefore: Date? = nil) async -> [RunSummary] {
        var runs: [RunSummary] = []
        for (number, line) in ingest(lines: lines, source: source, notBefore: notBefore) {
            runs += await trigger(playbook: number, source: source, line: line)
        }
        return runs
    }

    /// A new line matched playbook number `playbook`: recorded, then its full detection.
    public func trigger(playbook number: Int, source: String, line: String) async -> [RunSummary] {
        let watched = playbooks[number]
        record("watch_trigger", ["playbook": .string(watched.playbook.name), "source": .string(source), "line": .string(line)])
        return await evaluateAndRun(watched, source: source, byLine: true).map { [$0] } ?? []
    }

    /// The interval tick: every playbook's whole detection, value predicates included.
    public func evaluateAll() async -> [RunSummary] {
        var runs: [RunSummary] = []
        for watched in playbooks {
            if let run = await evaluateAndRun(watched, source: "interval", byLine: false) { runs.append(run) }
        }
        return runs
    }

    private func evaluateAndRun(_ watched: WatchedPlaybook, source: String, byLine: Bool) async -> RunSummary? {
        let name = watched.playbook.name
        let unconsumed = state.evidence.unconsumed(by: name)
        let evidence = WatchLineEvidence(entries: unconsumed, sources: sourceNames.isEmpty ? [source] : sourceNames)
        let evaluation = EvaluationContext(host: ctx, parameters: watched.parameters.numericValues, lineEvidence: evidence,
                                           sustainedHistory: history(for: name), counterSamples: counterSamples)
        let result = await watched.playbook.detect.evaluate(in: evaluation)
        var fields: [String: JSONValue] = ["playbook": .string(name), "source": .string(source),
                                           "detection": .string(result.state.rawValue), "detail": .string(result.detail)]
        let now = ctx.clock.now()
        guard result.state == .holds else {
            // A quiet interval tick is the normal state, not a skip; a matching line is.
            if byLine {
                skip(name, result.state == .unknown ? .unknown : .notFiring, source: source, fields: fields,
                     result.state == .unknown ? "detection could not be evaluated (\(result.detail))"
                         : "detection does not fire on the lines not yet acted on (\(result.detail))")
            }
            return nil
        }
        if let started = state.lastTriggered[name], let cooldown = watched.playbook.cooldown,
           now < started.addingTimeInterval(cooldown.seconds) {
            skip(name, .cooldown, source: source, fields: fields,
                 "cooldown \(DurationText.format(cooldown)) since the run at \(PreciseTime.format(started)) that changed the host is not over")
            return nil
        }
        let hold = watched.playbook.cooldown ?? options.interval
        if !byLine, unconsumed.isEmpty, let idle = state.lastUnchangedRun[name], now < idle.addingTimeInterval(hold.seconds) {
            skip(name, .heldOff, source: source, fields: fields,
                 "the last run (at \(PreciseTime.format(idle))) changed nothing and no new line arrived since; next try after \(DurationText.format(hold))")
            return nil
        }
        if !options.dryRun, let holder = hostLockHolder() {
            skip(name, .busy, source: source, fields: fields, "the host lock is held (\(holder)); trying again at the next interval")
            return nil
        }
        fields["decision"] = "run"
        fields["mode"] = .string(options.dryRun ? "dry_run" : "unattended")
        record("watch_decision", fields)
        // The lines this run acts on are consumed before it starts, and saved: a watcher killed
        // mid-run does not act on them a second time (the audit log shows the unfinished run).
        // Not waiting for the disk keeps an fsync off the path to the action; after a power
        // loss the executor's own durable cooldown record refuses a repeat.
        let previousFloor = state.evidence.actedThrough[name]
        state.evidence.actedThrough[name] = state.evidence.lastSerial
        saveState(durable: false)
        var runOptions = options.runOptions(source: source)
        runOptions.sustainedHistory = history(for: name)
        runOptions.counterSamples = counterSamples
        let report = await Executor(ctx: ctx, playbook: watched.playbook, parameters: watched.parameters, options: runOptions).run()
        let changed = RunEffect.changedSomething(report)
        if report.outcome == .busy {
            // Nothing ran: the lines are still new evidence, tried again at the next interval.
            state.evidence.actedThrough[name] = previousFloor
        } else if changed {
            state.lastTriggered[name] = ctx.clock.now()
            state.lastUnchangedRun[name] = nil
        } else {
            state.lastUnchangedRun[name] = ctx.clock.now()
        }
        record("watch_run", ["playbook": .string(name), "run_id": .string(report.runID), "outcome": .string(report.outcome.rawValue),
                             "changed": .bool(changed), "cooldown_started": .bool(changed)])
        saveState()
        if report.outcome == .busy {
            skip(name, .busy, source: source, fields: fields, "run \(report.runID) found the host lock held: \(report.messages.last ?? "busy")")
        } else if !options.json {
            ctx.output.line("ctfix watch: \(name) (\(source)): run \(report.runID) \(report.outcome.rawValue)"
                            + (report.messages.last.map { ": \(TerminalText.content($0))" } ?? "")
                            + (changed ? "" : " (nothing changed: no cooldown started)"))
        }
        return RunSummary(playbook: name, runID: report.runID, outcome: report.outcome, trigger: runOptions.trigger, changed: changed)
    }

    /// Prints and audits a skip, at most once per playbook and reason a minute (with a count).
    private func skip(_ playbook: String, _ kind: WatchSkip, source: String, fields: [String: JSONValue], _ reason: String) {
        guard let repeats = skips.admit(playbook: playbook, skip: kind, now: ctx.clock.now()) else { return }
        var fields = fields
        fields["decision"] = "skip"
        fields["skip"] = .string(kind.rawValue)
        fields["reason"] = .string(reason)
        fields["repeats"] = .number(Double(repeats))
        record("watch_decision", fields)
        if options.json { return }
        ctx.output.line("ctfix watch: \(playbook) (\(TerminalText.content(source))): skipped: \(TerminalText.content(reason))"
                        + (repeats > 0 ? " (and \(repeats) more like it since the last message)" : ""))
    }

    /// Who holds the host lock, when someone does (tried without waiting, released at once).
    private func hostLockHolder() -> String? {
        guard let handle = try? ctx.fileSystem.lockExclusively(HostRunLock.lockPath, wait: .zero) else {
            guard ctx.fileSystem.exists(HostRunLock.lockPath) else { return nil }
            return HostRunLock(fileSystem: ctx.fileSystem).busyHolderText()
        }
        withExtendedLifetime(handle) {}
        return nil
    }

    /// Forgets evidence every playbook has acted on or that left every window, then saves the
    /// position, evidence and cooldowns; a failure is reported, not fatal.
    public func saveState(durable: Bool = true) {
        let windows = playbooks.flatMap { watched in
            watched.logPredicates.map { $0.within(watched.parameters.numericValues) }
        }
        let longest = windows.contains(where: { $0 == nil }) ? nil : windows.compactMap { $0 }.max()
        let cutoff = longest.map { ctx.clock.now().addingTimeInterval(-$0.seconds - KernelLogScanner.futureSlack) }
        let dropped = state.evidence.prune(playbooks: playbooks.map(\.playbook.name), olderThan: cutoff)
        if dropped > 0 {
            record("watch_note", ["source": "evidence", "note": .string("\(dropped) oldest unacted lines forgotten (more than \(WatchEvidence.capacity) kept)")])
        }
        for (name, history) in sustained { state.sustained[name] = history.saved }
        state.counterSamples = counterSamples.saved
        do {
            try state.save(ctx.fileSystem, durable: durable)
        } catch {
            ctx.output.errorLine("ctfix watch: cannot save position: \(error)")
        }
    }
}
