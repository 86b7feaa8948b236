import Foundation

extension Executor {
    enum Refresh: Equatable {
        /// Every file the action writes still holds what its plan was computed from.
        case asShown
        /// The action was planned again and its steps replaced; the plan no longer applies
        /// (no change needed, refused, skipped) — its status and reason say why.
        case notReady
        /// Re-planned with a different change: the operator must see it and answer again.
        case askAgain
        /// Re-planned with a different change and nobody to ask (`--yes`): not applied.
        case failed(String)
    }

    /// Makes sure the steps about to be applied are the ones the operator approved, against the
    /// host as it is *now*.
    ///
    /// Plans of one run chain file contents: when two actions persist into the same file, the
    /// second is planned against the first one's result. If the first was declined (or someone
    /// edited the file), the second's whole-file precondition no longer holds. Instead of
    /// failing, the action is planned again against the current host, and:
    /// - when it changes exactly the same lines (the same setting lines added and removed, the
    ///   same values written) its new steps are applied: the change approved is the change made;
    /// - otherwise the new plan is shown and the operator is asked again (unattended: the
    ///   action fails, as for a file edited behind ctfix's back).
    func refreshPlan(_ index: Int, planContext: PlanContext) async -> Refresh {
        let shown = report.actions[index].steps.map(\.step)
        guard shown.contains(where: { !preconditionHolds($0) }) else { return .asShown }
        var fresh = PlanContext(evaluation: planContext.evaluation, parameters: planContext.parameters, facts: planContext.facts,
                                runID: planContext.runID, playbookName: planContext.playbookName, force: planContext.force)
        fresh.namespacesInTrouble = planContext.namespacesInTrouble
        let action = playbook.actions[index]
        let plan = await self.plan(action, fresh)
        let paths = shown.compactMap { step -> String? in if case .writeFile(let path, _, _, _, _) = step { path } else { nil } }
        let because = "\(Set(paths).sorted().joined(separator: ", ")) no longer holds what this plan was computed from (an earlier action was declined or failed, or the file was edited)"
        var replanned = ActionReport(action, plan: plan)
        if !ctx.isLiveHost { Self.markSimulated(&replanned) }
        guard plan.status == .ready else {
            report.actions[index].status = replanned.status
            report.actions[index].steps = []
            report.actions[index].reason = "planned again: " + (plan.reason ?? "")
            if !options.json {
                ctx.output.line("\(action.name): \(TerminalText.content(because)); planned again: \(replanned.status.rawValue.replacingOccurrences(of: "_", with: " ")): \(TerminalText.content(plan.reason ?? ""))")
            }
            return .notReady
        }
        if Self.sameEffect(shown, plan.steps) {
            report.actions[index].steps = replanned.steps
            report.actions[index].notes.append("planned again against the current \(paths.joined(separator: ", ")): the same lines change")
            return .asShown
        }
        guard !options.assumeYes, ctx.terminal.isInteractive else {
            return .failed("\(because); the new plan differs from the one shown, so it is not applied unattended")
        }
        report.actions[index] = replanned
        var single = report
        single.actions = [replanned]
        let text = single.planText().split(separator: "\n", omittingEmptySubsequences: false).dropFirst(2).joined(separator: "\n")
        ctx.output.line("\(action.name): \(TerminalText.content(because)). Its plan now is:\n\(text)")
        return .askAgain
    }

    /// Whether a step can still be applied as planned: a file write needs the file to hold the
    /// content the step was computed from.
    func preconditionHolds(_ step: PlannedStep) -> Bool {
        guard case .writeFile(let path, let before, _, _, _) = step else { return true }
        let current = ctx.fileSystem.exists(path) ? try? ctx.fileSystem.readText(path) : nil
        return current == before
    }

    /// Two plans of one action make the same change: the same values written, the same files
    /// with the same lines removed and added (context lines around them may differ).
    static func sameEffect(_ a: [PlannedStep], _ b: [PlannedStep]) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).allSatisfy { first, second in
            switch (first, second) {
            case (.writeFile(let path, let before, let after, _, _), .writeFile(let otherPath, let otherBefore, let otherAfter, _, _)):
                return path == otherPath && (before == nil) == (otherBefore == nil) && (after == nil) == (otherAfter == nil)
                    && changedLines(before, after, path) == changedLines(otherBefore, otherAfter, path)
            default:
                return first == second
            }
        }
    }

    /// The removed and added lines of a diff, without context, in order.
    static func changedLines(_ old: String?, _ new: String?, _ path: String) -> [String] {
        UnifiedDiff.make(old: old, new: new, path: path, context: 0).split(separator: "\n").compactMap { line in
            guard !line.hasPrefix("+++"), !line.hasPrefix("---"), line.hasPrefix("+") || line.hasPrefix("-") else { return nil }
            return String(line)
        }
    }

    /// Marks the steps that would run a program or reboot as simulated (the root is not this machine).
    static func markSimulated(_ action: inout ActionReport) {
        for index in action.steps.indices where action.steps[index].step.runsProgram {
            action.steps[index].simulated = true
        }
    }
}
