extension DropCachesAction: PlannableAction {
    /// One write to `/proc/sys/vm/drop_caches`; the kernel frees clean caches once. Nothing to
    /// read back (the file keeps the last value written) and nothing to undo.
    public func plan(in context: PlanContext) async -> ActionPlan {
        guard context.fileSystem.exists(Self.procPath) else {
            return .refused("\(Self.procPath) does not exist on this host")
        }
        var notes: [String] = []
        if let available = context.facts.memAvailableBytes, let total = context.facts.memTotalBytes, total > 0 {
            notes.append("MemAvailable is \(formatNumber((available / total * 1000).rounded() / 10))% of MemTotal before dropping")
        }
        return ActionPlan(status: .ready, steps: [.trigger(path: Self.procPath, name: "vm.drop_caches", value: String(level))], notes: notes)
    }
}

extension CompactMemoryAction: PlannableAction {
    /// One write to `/proc/sys/vm/compact_memory` (kernels built with CONFIG_COMPACTION).
    public func plan(in context: PlanContext) async -> ActionPlan {
        guard context.fileSystem.exists(Self.procPath) else {
            return .refused("\(Self.procPath) does not exist: this kernel was built without memory compaction")
        }
        return ActionPlan(status: .ready, steps: [.trigger(path: Self.procPath, name: "vm.compact_memory", value: "1")])
    }
}

extension RestartServiceAction: PlannableAction {
    /// `systemctl restart UNIT` with the playbook's timeout.
    public func plan(in context: PlanContext) async -> ActionPlan {
        let name = unit.render(context.parameters)
        guard Self.isValidUnitName(name) else {
            return .refused("'\(name)' is not a systemd unit name")
        }
        if let why = Self.refusal(unit: name) { return .refused(why) }
        return ActionPlan(status: .ready, steps: [.runCommand(argv: ["systemctl", "restart", name],
                                                                timeoutSeconds: timeout.seconds, environment: [:])])
    }
}
