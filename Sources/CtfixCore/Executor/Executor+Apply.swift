import Foundation

extension Executor {
    /// Unattended policy, decided for the whole run before anything changes, so a run is never
    /// left half-done because its third action turned out to be forbidden.
    func policyRefusal(facts: HostFacts) -> String? {
        let ready = zip(playbook.actions, report.actions).filter { $0.1.status == .planned }
        let state: PolicyState
        do { state = try PolicyState.load(ctx.fileSystem) } catch { return "cannot read the policy state: \(error)" }
        if ready.contains(where: { $0.0.kind is RebootAction }), let boot = facts.bootID, state.rebootedBoots.contains(boot) {
            return "refused: ctfix already rebooted this host in this boot (boot id \(boot)); a second reboot needs a person"
        }
        guard options.isUnattended else { return nil }
        if let remaining = state.cooldownRemaining(for: playbook.name, cooldown: playbook.cooldown, now: Date()) {
            return "refused: \(playbook.name) is cooling down for another \(DurationText.format(.seconds(Int64(remaining.seconds.rounded(.up)))))"
        }
        for (action, _) in ready where action.risk == .destructive {
            if !action.allowUnattended {
                return "refused: '\(action.name)' is destructive and the playbook does not allow it unattended"
            }
            if !options.allowDestructive {
                return "refused: '\(action.name)' is destructive; unattended runs need --allow-destructive as well"
            }
        }
        return nil
    }

    /// Confirms and applies each ready action in order; stops at the first failure.
    func applyAll(planContext: PlanContext, facts: HostFacts) async -> RunReport {
        let applier = StepApplier(context: ctx, runID: runID)
        var confirmAll = options.assumeYes
        var applied: [(action: Int, steps: [PlannedStep])] = []
        let actionsStarted = ctx.clock.now()

        for index in report.actions.indices where report.actions[index].status == .planned {
            let action = playbook.actions[index]
            switch confirm(action, index: index, confirmAll: &confirmAll, host: facts.hostName) {
            case .apply: break
            case .skip:
                report.actions[index].status = .declined
                if !recordOrStop("declined", ["action": .string(action.name)]) { return report }
                continue
            case .quit:
                for later in index..<report.actions.count where report.actions[later].status == .planned {
                    report.actions[later].status = .notRun
                }
                _ = recordOrStop("declined", ["action": .string(action.name), "quit": true])
                return finish(applied.isEmpty ? .declined : .declined, "stopped by the operator" + stateSentence(applied))
            }

            let steps = report.actions[index].steps.map(\.step)
            // The cooldown, then the intent, are on disk before the first byte changes.
            if let refusal = beforeFirstChange() { return finish(.refused, refusal) }
            if !recordOrStop("intent", ["action": .string(action.name), "risk": .string(action.risk.rawValue),
                                        "steps": .from(steps)]) { return report }
            var done: [PlannedStep] = []
            for (stepIndex, step) in steps.enumerated() {
                // A reboot may end this process: remember it before asking for it.
                if case .reboot = step { markRebooted(facts) }
                do {
                    let result = try await applier.apply(step)
                    done.append(step)
                    report.actions[index].steps[stepIndex].observed = result.observed
                    report.actions[index].steps[stepIndex].result = result.message
                } catch {
                    if error.changed { done.append(step) }
                    report.actions[index].status = .failed
                    report.actions[index].reason = error.message
                    if !options.json { ctx.output.line("failed \(action.name): \(error.message)") }
                    applied.append((index, done))
                    _ = recordOrStop("outcome", ["action": .string(action.name), "status": "failed",
                                                 "error": .string(error.message), "changed": .from(done)])
                    return await fail(applied: applied, applier: applier)
                }
            }
            applied.append((index, done))
            report.actions[index].status = .applied
            if !recordOrStop("outcome", ["action": .string(action.name), "status": "applied",
                                         "steps": .from(report.actions[index].steps)]) { return report }
            if !options.json { ctx.output.line("applied \(action.name): " + report.actions[index].steps.compactMap(\.result).joined(separator: "; ")) }
        }

        if applied.isEmpty {
            return finish(report.actions.contains { $0.status == .declined } ? .declined : .healthy,
                          "no action was applied" + (report.actions.contains { $0.status == .refused } ? " (see refused actions)" : ""))
        }
        return await verify(since: actionsStarted)
    }

    enum Confirmation { case apply, skip, quit }

    func confirm(_ action: PlaybookAction, index: Int, confirmAll: inout Bool, host: String) -> Confirmation {
        let destructive = action.risk == .destructive
        if confirmAll && (!destructive || options.assumeYes) { return .apply }
        let terminal = ctx.terminal
        while true {
            guard let answer = terminal.ask("Apply \(index + 1). \(action.name) [\(action.risk.rawValue)]? [y]es / [n]o / [a]ll / [q]uit: ")?
                .trimmingCharacters(in: .whitespaces).lowercased() else { return .quit }
            let choice: Confirmation
            switch answer {
            case "y", "yes": choice = .apply
            case "n", "no": return .skip
            case "a", "all": confirmAll = true; choice = .apply
            case "q", "quit": return .quit
            default: continue
            }
            guard destructive else { return choice }
            guard let typed = terminal.ask("'\(action.name)' is destructive. Type the host name (\(host)) to confirm: ") else { return .quit }
            if typed.trimmingCharacters(in: .whitespaces) == host { return .apply }
            ctx.output.line("host name does not match; '\(action.name)' not applied")
            return .skip
        }
    }

    /// Stops after a failure; undoes completed reversible steps when the playbook says so.
    func fail(applied: [(action: Int, steps: [PlannedStep])], applier: StepApplier) async -> RunReport {
        guard playbook.onFailure == .rollback else {
            return finish(.failed, "an action failed; completed changes were left in place" + stateSentence(applied))
        }
        var problems: [String] = []
        for (actionIndex, steps) in applied.reversed() {
            var undone = true
            for step in steps.reversed() {
                guard let undo = step.undo else { undone = false; continue }
                if !recordOrStop("rollback_intent", ["action": .string(playbook.actions[actionIndex].name), "step": .from(undo)]) { return report }
                do {
                    _ = try await applier.apply(undo)
                    _ = recordOrStop("rollback_outcome", ["action": .string(playbook.actions[actionIndex].name), "status": "restored", "step": .from(undo)])
                } catch {
                    undone = false
                    problems.append(error.message)
                    _ = recordOrStop("rollback_outcome", ["action": .string(playbook.actions[actionIndex].name), "status": "failed", "error": .string(error.message)])
                }
            }
            if undone, report.actions[actionIndex].status == .applied { report.actions[actionIndex].status = .rolledBack }
        }
        let tail = problems.isEmpty ? "every completed change was rolled back" : "rollback incomplete: " + problems.joined(separator: "; ")
        return finish(.failed, "an action failed; \(tail)")
    }

    func stateSentence(_ applied: [(action: Int, steps: [PlannedStep])]) -> String {
        let changes = applied.flatMap(\.steps).map(\.summaryLine)
        return changes.isEmpty ? " (the host was not changed)" : "; the host now has: " + changes.joined(separator: "; ")
    }

    /// Re-checks the host after the actions: the playbook's `verify.healthy`, or detection with
    /// log windows starting after the actions.
    func verify(since: Date) async -> RunReport {
        let delay = playbook.verify?.delay ?? .zero
        if delay > .zero, !options.skipVerifyDelay { try? await Task.sleep(for: delay) }
        let evaluation = EvaluationContext(host: ctx, parameters: parameters.numericValues, notBefore: since)
        let remediated: Bool
        let result: PredicateResult
        if let healthy = playbook.verify?.healthy {
            result = await healthy.evaluate(in: evaluation)
            remediated = result.state == .holds
        } else {
            result = await playbook.detect.evaluate(in: evaluation)
            remediated = result.state == .doesNotHold
        }
        report.verification = result
        _ = recordOrStop("verification", ["remediated": .bool(remediated), "result": .from(result)])
        return finish(remediated ? .remediated : .notRemediated,
                      remediated ? "remediated: \(result.headline)" : "not remediated: \(result.headline)")
    }

    func markRebooted(_ facts: HostFacts) {
        guard let boot = facts.bootID, var state = try? PolicyState.load(ctx.fileSystem) else { return }
        if !state.rebootedBoots.contains(boot) { state.rebootedBoots.append(boot) }
        try? state.save(ctx.fileSystem)
    }
}
