import Foundation

extension Executor {
    /// Re-checks the host after the actions: the playbook's `verify.healthy`, or detection with
    /// log windows starting after the actions. The delay is a countdown on a terminal and ends
    /// early on an interrupt.
    ///
    /// The outcome tells only what was measured: `remediated` needs every planned action
    /// applied *and* a predicate that reads state (a value, a ratio, a file) finding the problem
    /// gone; a verification made of log predicates only proves nothing by finding no new line
    /// (`unverified`); an action not applied makes the run `partial` at best.
    func verify(since: Date, applier: StepApplier) async -> RunReport {
        let delay = playbook.verify?.delay ?? .zero
        if delay > .zero, !options.skipVerifyDelay {
            let notice = WaitNotice.choose(ctx, json: options.json)
            let interruption = options.interruption
            let waited = await notice.wait(delay, output: ctx.output, line: "before verifying the host (the playbook's verify delay)",
                                           live: { "verifying in \($0) s…" }) { await interruption.sleep(for: $0, tick: $1) }
            if !waited { return await interrupted(applier: applier, at: nil) }
        }
        // The caller's counter samples (watch, serve): samples from before the actions are not
        // used as a start (notBefore), and the ones taken here start the next measurement.
        let evaluation = EvaluationContext(host: ctx, parameters: parameters.numericValues, notBefore: since,
                                           showsProgress: WaitNotice.choose(ctx, json: options.json),
                                           counterSamples: options.counterSamples)
        let gone: Bool
        let result: PredicateResult
        let measured: Bool
        if let healthy = playbook.verify?.healthy {
            result = await healthy.evaluate(in: evaluation)
            gone = result.state == .holds
            measured = !Self.isLogOnly(healthy)
        } else {
            result = await playbook.detect.evaluate(in: evaluation)
            gone = result.state == .doesNotHold
            measured = !Self.isLogOnly(playbook.detect)
        }
        report.verification = result
        let missing = notAppliedSentence()
        // Could not be measured (a counter file gone, a snapshot's counters, an interrupted
        // sample): nobody can say it is fixed, nor that it is not.
        let undecided = result.state == .unknown
        let outcome: RunOutcome = undecided ? (missing.isEmpty ? .unverified : .partial)
            : !gone ? .notRemediated : !missing.isEmpty ? .partial : measured ? .remediated : .unverified
        _ = recordOrStop("verification", ["remediated": .bool(outcome == .remediated), "problem_gone": .bool(gone && !undecided),
                                          "measured": .bool(measured), "result": .from(result)])
        let headline = result.headline
        let message = switch outcome {
        case .remediated: "verification: \(headline)"
        case .unverified where undecided: "verification could not measure the host (\(headline)); check it before calling it fixed"
        case .unverified: "verification only re-reads kernel log lines, and no new line proves nothing (\(headline)); check the host's counters before calling it fixed"
        case .partial: "not every planned action was applied\(missing)" + (gone ? "; verification: \(headline)" : "")
        default: "verification still sees the problem: \(headline)" + missing
        }
        return finish(outcome, message)
    }

    /// True when every leaf of the tree is a log predicate: finding no new line measures nothing.
    static func isLogOnly(_ predicate: Predicate) -> Bool {
        switch predicate {
        case .all(let items), .any(let items): items.allSatisfy(isLogOnly)
        case .not(let inner): isLogOnly(inner)
        case .leaf(let kind): kind is LogPredicate
        }
    }

    /// Stops after an interrupt: the step in progress has finished; applies `on_failure`
    /// (rollback of completed reversible changes when the playbook asks for it) and ends
    /// `interrupted` with what the host now holds.
    func interrupted(applier: StepApplier, at index: Int?) async -> RunReport {
        if let index {
            for later in index..<report.actions.count where report.actions[later].status == .planned {
                report.actions[later].status = .notRun
            }
        }
        let why = "interrupted by \(options.interruption.signalName)"
        if !options.json { ctx.output.line("\(why): finishing here") }
        guard changedHost else { return finish(.interrupted, "\(why); nothing was changed") }
        guard playbook.onFailure == .rollback else {
            return finish(.interrupted, "\(why); completed changes were left in place (on_failure: stop)")
        }
        let problems = await rollBack(applier: applier)
        return finish(.interrupted, "\(why); " + (problems.isEmpty ? "every completed change was rolled back (on_failure: rollback)"
                                                   : "rollback incomplete: " + problems.joined(separator: "; ")))
    }

    /// Stops after a failure; undoes completed reversible steps when the playbook says so.
    func fail(applier: StepApplier) async -> RunReport {
        guard playbook.onFailure == .rollback else {
            return finish(.failed, "an action failed; completed changes were left in place")
        }
        let problems = await rollBack(applier: applier)
        let tail = problems.isEmpty ? "every completed change was rolled back" : "rollback incomplete: " + problems.joined(separator: "; ")
        return finish(.failed, "an action failed; \(tail)")
    }

    /// Undoes this run's completed steps, newest first, each with its own audit records; returns
    /// what could not be undone. Not interruptible: a second Ctrl-C does not leave it half-done.
    func rollBack(applier: StepApplier) async -> [String] {
        var problems: [String] = []
        for (actionIndex, steps) in changes.reversed() {
            var undone = true
            for step in steps.reversed() {
                guard let undo = step.undo else { undone = false; continue }
                if !recordOrStop("rollback_intent", ["action": .string(playbook.actions[actionIndex].name), "step": .from(undo)]) { return problems }
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
        return problems
    }

    /// What the host holds now at every place this run changed, read back (values) or compared
    /// (files) after the fact, one line per place — the `host_now` field of `run_end`.
    func hostNow() -> [String] {
        var order: [String] = []
        var first: [String: PlannedStep] = [:], last: [String: PlannedStep] = [:]
        var lines: [String] = []
        for step in changes.flatMap(\.steps) {
            switch step {
            case .setValue(let path, _, _, _), .writeFile(let path, _, _, _, _):
                if first[path] == nil { order.append(path); first[path] = step }
                last[path] = step
            case .setNamespaceValue(let namespace, _, let path, _, _, _):
                let place = "netns \(namespace.id):\(path)"
                if first[place] == nil { order.append(place); first[place] = step }
                last[place] = step
            case .trigger, .runCommand, .reboot:
                lines.append("done, cannot be undone: \(step.summaryLine)")
            }
        }
        for path in order {
            switch (first[path], last[path]) {
            case (.setValue(_, let name, let before, _)?, .setValue(_, _, _, let after)?):
                let value = (try? ctx.fileSystem.readText(path).trimmed(.whitespacesAndNewlines)) ?? "unreadable"
                let whose = StepApplier.sameValue(value, after) ? "this run's value" : StepApplier.sameValue(value, before) ? "the value before the run" : "neither value of this run"
                lines.append("\(name) = \(value) (\(whose))")
            case (.setNamespaceValue(let namespace, let label, let file, let name, let before, _)?, .setNamespaceValue(_, _, _, _, _, let after)?):
                let value: String
                do { value = try ctx.namespaceAccess.read(file, in: namespace).trimmed(.whitespacesAndNewlines) } catch { value = "unreadable (\(error.message))" }
                let whose = StepApplier.sameValue(value, after) ? "this run's value" : StepApplier.sameValue(value, before) ? "the value before the run" : "neither value of this run"
                lines.append("in \(label): \(name) = \(value) (\(whose))")
            case (.writeFile(_, let before, _, _, _)?, .writeFile(_, _, let after, _, _)?):
                let current = ctx.fileSystem.exists(path) ? try? ctx.fileSystem.readText(path) : nil
                let state = current == after ? (after == nil ? "absent, as this run left it" : "this run's content")
                    : current == before ? (before == nil ? "absent, as before the run" : "its content before the run") : "content changed since"
                lines.append("\(path): \(state)")
            default:
                continue
            }
        }
        return lines
    }
}
