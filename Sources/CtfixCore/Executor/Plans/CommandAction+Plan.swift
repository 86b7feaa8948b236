extension CommandAction: PlannableAction {
    /// The argv with parameters filled in (or `/bin/sh -c SCRIPT` when the playbook asked for
    /// a shell), run with a cleared environment and a timeout.
    public func plan(in context: PlanContext) async -> ActionPlan {
        let argv: [String]
        switch program {
        case .argv(let arguments): argv = arguments.map { $0.render(context.parameters) }
        case .shell(let script): argv = ["/bin/sh", "-c", script]
        }
        guard let program = argv.first, !program.isEmpty else { return .refused("the command is empty after filling in parameters") }
        var notes: [String] = []
        if !context.host.isLiveHost {
            // The program would be simulated anyway; this machine's PATH says nothing about the root's.
            notes.append("whether \(program) is installed under \(context.fileSystem.rootDescription) is not checked")
        } else if !context.host.commands.isAvailable(program) {
            return .refused("\(program) is not installed on this host")
        }
        let environment = self.environment.mapValues { $0.render(context.parameters) }
        return ActionPlan(status: .ready, steps: [.runCommand(argv: argv, timeoutSeconds: timeout.seconds, environment: environment)], notes: notes)
    }
}
