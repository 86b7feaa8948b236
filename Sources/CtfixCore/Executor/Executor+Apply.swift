import Foundation

extension Executor {
    /// Unattended policy, decided for the whole run before anything changes, so a run is never
    /// left half-done because its third action turned out to be forbidden.
    func policyRefusal(facts: HostFacts) -> String? {
        let ready = zip(playbook.actions, report.actions).filter { $0.1.status == .planned }
        let state: PolicyState
        do { state = try PolicyState.load(ctx.fileSystem) } catch { return "cannot read the policy state: \(error)" }
        if ready.contains(where: { $0.0.kind is RebootAction }), let boot = facts.bootID, state.rebootedBoots.contains(boot) {
            return "ctfix already rebooted this host in this boot (boot id \(boot)); a second reboot needs a person"
        }
        guard options.isUnattended else { return nil }
        if let remaining = state.cooldownRemaining(for: playbook.name, cooldown: playbook.cooldown, now: Date()) {
            return "\(playbook.name) is cooling down for another \(DurationText.format(.seconds(Int64(remaining.seconds.rounded(.up)))))"
        }
        for (action, _) in ready where action.risk == .destructive {
            if !action.allowUnattended {
                return "'\(action.name)' is destructive and the playbook does not allow it unattended"
            }
            if !options.allowDestructive {
                return "'\(action.name)' is destructive; unattended runs need --allow-destructive as well"
            }
        }
        return nil
    }

    /// Confirms and applies each ready action in order; stops at the first failure, at a quit
    /// and at an interrupt (checked before every primitive, never inside one).
    ///
    /// Per action: confirm → refresh the plan against the host as it now is (an earlier action
    /// may have been declined) → `intent` record → steps, each read back → `outcome` record.
    func applyAll(planContext: PlanContext, facts: HostFacts) async -> RunReport {
        let applier = StepApplier(context: ctx, runID: runID)
        var confirmAll = options.assumeYes
        let actionsStarted = ctx.clock.now()

        for index in report.actions.indices where report.actions[index].status == .planned {
            if options.interruption.isRequested { return await interrupted(applier: applier, at: index) }
            let action = playbook.actions[index]
            var answer = confirm(action, index: index, confirmAll: &confirmAll)
            if answer == .apply {
                switch await refreshPlan(index, planContext: planContext) {
                case .asShown: break
                case .failed(let why):
                    report.actions[index].status = .failed
                    report.actions[index].reason = why
                    _ = recordOrStop("outcome", ["action": .string(action.name), "status": "failed", "error": .string(why), "changed": .array([])])
                    return await fail(applier: applier)
                case .notReady:
                    _ = recordOrStop("outcome", ["action": .string(action.name), "status": .string(report.actions[index].status.rawValue),
                                                 "reason": .string(report.actions[index].reason ?? "")])
                    continue
                case .askAgain:
                    var all = false
                    answer = confirm(action, index: index, confirmAll: &all)
                    if all { confirmAll = true }
                }
            }
            switch answer {
            case .apply: break
            case .skip:
                report.actions[index].status = .declined
                if !recordOrStop("declined", ["action": .string(action.name)]) { return report }
                continue
            case .quit, .interrupted:
                for later in index..<report.actions.count where report.actions[later].status == .planned {
                    report.actions[later].status = .notRun
                }
                if !recordOrStop("declined", ["action": .string(action.name), "quit": true]) { return report }
                if answer == .interrupted { return await interrupted(applier: applier, at: index) }
                return finish(changedHost ? .partial : .declined, "stopped by the operator" + stateSentence())
            }

            // (The run's first change follows when `changes` is empty: a cooldown/attempt record
            // written before it belongs here, just before the first intent record.)
            let steps = report.actions[index].steps.map(\.step)
            // The cooldown, then the intent, are on disk before the first byte changes.
            if let refusal = beforeFirstChange() { return finish(.refused, refusal) }
            if !recordOrStop("intent", ["action": .string(action.name), "risk": .string(action.risk.rawValue),
                                        "steps": .from(steps), "simulated": .bool(report.actions[index].steps.contains(where: \.simulated))]) { return report }
            changes.append((index, []))
            for (stepIndex, step) in steps.enumerated() {
                if stepIndex > 0, options.interruption.isRequested {
                    // Between two steps of one action: say which of its steps took effect.
                    let done = changes[changes.count - 1].steps
                    report.actions[index].status = .notRun
                    report.actions[index].reason = "interrupted after \(stepIndex) of \(steps.count) steps"
                    _ = recordOrStop("outcome", ["action": .string(action.name), "status": "interrupted", "changed": .from(done)])
                    return await interrupted(applier: applier, at: index)
                }
                // A reboot may end this process: remember it before asking for it.
                // (A simulated reboot is not one: it does not count against the once-per-boot rule.)
                if case .reboot = step, !step.runsProgram || ctx.isLiveHost { markRebooted(facts) }
                do {
                    let result = try await applier.apply(step)
                    if !result.simulated { changes[changes.count - 1].steps.append(step) }
                    report.actions[index].steps[stepIndex].simulated = result.simulated
                    report.actions[index].steps[stepIndex].observed = result.observed
                    report.actions[index].steps[stepIndex].result = result.message
                } catch {
                    if error.changed { changes[changes.count - 1].steps.append(step) }
                    report.actions[index].status = .failed
                    report.actions[index].reason = error.message
                    if !options.json { ctx.showLine("\("failed", .bad) \(action.name): \(error.message)") }
                    _ = recordOrStop("outcome", ["action": .string(action.name), "status": "failed",
                                                 "error": .string(error.message), "changed": .from(changes[changes.count - 1].steps)])
                    return await fail(applier: applier)
                }
            }
            let simulated = report.actions[index].steps.contains(where: \.simulated)
            report.actions[index].status = simulated ? .simulated : .applied
            var fields: [String: JSONValue] = ["action": .string(action.name), "status": .string(report.actions[index].status.rawValue),
                                               "steps": .from(report.actions[index].steps)]
            // A simulated action that also wrote files: those steps are real and undoable.
            if simulated { fields["changed"] = .from(changes[changes.count - 1].steps) }
            if !recordOrStop("outcome", fields) { return report }
            if !options.json {
                // ("applied NAME: …"; a simulated step's own result starts with "simulated: …")
                ctx.showLine(StyledText(simulated ? "" : "applied ", .good) + "\(action.name): \(TerminalText.content(report.actions[index].steps.compactMap(\.result).joined(separator: "; ")))")
            }
        }
        if options.interruption.isRequested { return await interrupted(applier: applier, at: nil) }

        guard report.actions.contains(where: { $0.status == .applied }) else { return concludeWithoutChanges() }
        return await verify(since: actionsStarted, applier: applier)
    }

    /// The outcome when no action was applied: the operator said no, or nothing could be done.
    func concludeWithoutChanges() -> RunReport {
        let statuses = report.actions.map(\.status)
        if statuses.contains(.declined) {
            return finish(.declined, "no action was applied: declined by the operator" + notAppliedSentence())
        }
        if case let reason = notAppliedSentence(), !reason.isEmpty {
            return finish(.partial, "no action was applied" + reason)
        }
        if report.firing {
            return finish(.notRemediated, "no action had anything to change, and the problem is still detected")
        }
        return finish(.healthy, "no action had anything to change")
    }

    /// "; not applied: raise (refused), reboot (simulated: the root is not this machine)", or "".
    func notAppliedSentence() -> String {
        let missing = report.actions.filter { Self.notApplied.contains($0.status) }
        guard !missing.isEmpty else { return "" }
        return "; not applied: " + missing.map { action in
            action.status == .simulated ? "\(action.name) (\(RunReport.simulatedReason))"
                : "\(action.name) (\(action.status.rawValue.replacingOccurrences(of: "_", with: " ")))"
        }.joined(separator: ", ")
    }

    /// Statuses of a planned action that did not become `applied`: they make a run `partial`.
    static let notApplied: Set<ActionReport.Status> = [.declined, .skipped, .refused, .simulated, .notRun, .failed]

    /// True once a step of this run really changed the host (simulated steps do not count).
    var changedHost: Bool { changes.contains { !$0.steps.isEmpty } }

    func stateSentence() -> String {
        let summary = changes.flatMap(\.steps).map(\.summaryLine)
        return summary.isEmpty ? " (the host was not changed)" : "; the host now has: " + summary.joined(separator: "; ")
    }

    func markRebooted(_ facts: HostFacts) {
        guard let boot = facts.bootID, var state = try? PolicyState.load(ctx.fileSystem) else { return }
        if !state.rebootedBoots.contains(boot) { state.rebootedBoots.append(boot) }
        try? state.save(ctx.fileSystem)
    }
}
