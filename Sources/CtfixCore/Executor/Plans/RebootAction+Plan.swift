extension RebootAction: PlannableAction {
    /// `systemctl reboot`, or kured's sentinel file so kured drains the node and reboots it in
    /// its own window. "At most once per boot" is checked by the executor's policy.
    public func plan(in context: PlanContext) async -> ActionPlan {
        var notes: [String] = []
        if let boot = context.facts.bootID { notes.append("boot id \(boot): ctfix reboots at most once per boot") }
        switch method {
        case .systemctl:
            return ActionPlan(status: .ready, steps: [.reboot(method: "systemctl", sentinel: nil, delaySeconds: delay?.seconds)], notes: notes)
        case .kured:
            let path = sentinel ?? "/var/run/reboot-required"
            if context.fileSystem.exists(path) {
                return .noChange("\(path) already exists: a reboot is already pending", notes: notes)
            }
            return ActionPlan(status: .ready, steps: [.reboot(method: "kured", sentinel: path, delaySeconds: nil)], notes: notes)
        }
    }
}
