import Foundation

extension SysctlAction: PlannableAction {
    /// Reads the live value of the first existing key, computes the target (expression, clamps,
    /// direction, memory budget), and adds the hash size and persistence steps.
    public func plan(in context: PlanContext) async -> ActionPlan {
        let fs = context.fileSystem
        var notes: [String] = []
        guard let (key, path) = resolveKey(fs) else {
            return .refused("none of \(keys.joined(separator: ", ")) exists on this host")
        }
        if keys.first != key { notes.append("using \(key) (the first of the alternatives this kernel has)") }
        let currentText: String
        do {
            currentText = try fs.readText(path).trimmed(.whitespacesAndNewlines)
        } catch {
            return .refused("cannot read \(key): \(error.reasonText)")
        }
        guard let current = Double(currentText) else {
            return .refused("\(key) holds '\(currentText)', not a single number")
        }
        var target: Double
        switch computeTarget(current: current, key: key, context: context, notes: &notes) {
        case .success(let value): target = value
        case .failure(let refusal): return .refused(refusal.reason)
        }
        // Per-namespace keys are also set in each namespace detection named (issue 9 item 5).
        let namespaceSteps = Self.isPerNamespace(key) ? namespaceSteps(key: key, path: path, context: context, notes: &notes) : []
        func unchanged(_ reason: String) -> ActionPlan {
            guard !namespaceSteps.isEmpty else { return .noChange(reason, notes: notes) }
            return ActionPlan(status: .ready, steps: namespaceSteps, notes: notes + ["initial netns unchanged: \(reason)"])
        }
        if let reason = unchangedReason(key: key, current: current, target: target) { return unchanged(reason) }

        if let memoryBudget, target > current {
            switch checkBudget(memoryBudget, target: target, current: current, context: context) {
            case .fits(let note): notes.append(note)
            case .clamped(let value, let note): target = value; notes.append(note)
            case .refused(let reason): return .refused(reason, notes: notes)
            }
        }
        guard target != current else { return unchanged("\(key) is already \(formatNumber(current))") }
        if let refusal = Self.globalKeyRefusal(key, context: context, notes: notes) { return refusal }
        if let info = try? fs.info(path), !info.isWritable {
            notes.append("\(path) is not writable here (a non-initial network namespace keeps nf_conntrack_max read-only); the write will fail")
        }
        var steps: [PlannedStep] = [.setValue(path: path, name: key, before: currentText, after: formatNumber(target))]
        do {
            if let hashSize { steps += try hashSizeSteps(hashSize, target: target, key: key, context: context, notes: &notes) }
            if let persist { steps += try persistSteps(persist, key: key, value: target, context: context, notes: &notes) }
        } catch { return .refused(error.reason, notes: notes) }
        return ActionPlan(status: .ready, steps: steps + namespaceSteps, notes: notes)
    }

    /// A global conntrack key (`nf_conntrack_max`) from a network namespace that is not the
    /// initial one: the kernel keeps one limit for every namespace and lets only the initial
    /// namespace write it (read-only elsewhere since Linux 5.x; older kernels let a container
    /// change the whole host's limit, which is not this run's to decide either). Refused while planning, with the
    /// command to run on the host instead (the executor then refuses the whole run).
    static func globalKeyRefusal(_ key: String, context: PlanContext, notes: [String]) -> ActionPlan? {
        guard conntrackMaxKeys.contains(key), NetNamespaces.runsInInitialNamespace(context.fileSystem) == false else { return nil }
        let own = NetNamespaces.own(in: context.fileSystem).map { "netns \($0)" } ?? "a non-initial network namespace"
        var plan = ActionPlan.refused("\(key) is one global limit that only the initial network namespace can write, and ctfix runs in \(own) (a container or `ip netns exec`)", notes: notes)
        let name = context.playbookName.isEmpty ? "PLAYBOOK" : context.playbookName
        plan.hostCommand = "ctfix run \(name) on the host (from a shell in the host's PID namespace: nsenter -t 1 -n ctfix run \(name))"
        return plan
    }

    /// The first alternative whose /proc/sys file exists.
    func resolveKey(_ fs: any FileSystem) -> (String, String)? {
        for text in keys {
            guard let key = try? SysctlKey(text) else { continue }
            if fs.exists(key.path) { return (key.dottedName, key.path) }
        }
        return nil
    }

    enum BudgetDecision { case fits(String), clamped(Double, String), refused(String) }

    func checkBudget(_ budget: MemoryBudget, target: Double, current: Double, context: PlanContext) -> BudgetDecision {
        let snapshot = ConntrackSnapshot.read(in: context.evaluation)
        let share: Double
        do { share = try budget.share.evaluate(parameters: context.parameters.numericValues) } catch {
            return .refused("cannot compute the memory budget share: \(error)")
        }
        guard let available = snapshot.memAvailable.value ?? context.facts.memAvailableBytes else {
            return .refused("MemAvailable cannot be read, so the memory budget cannot be checked; not raising \(keys[0])")
        }
        let entrySize: Double
        let sizeNote: String
        switch budget.objectSize {
        case .bytes(let bytes): entrySize = Double(bytes); sizeNote = "\(bytes) bytes per entry (playbook)"
        case .auto:
            if let measured = snapshot.entrySize.value, !snapshot.entrySize.assumed {
                entrySize = measured; sizeNote = "\(formatNumber(measured)) bytes per entry (\(snapshot.entrySize.source ?? "/proc/slabinfo"))"
            } else {
                entrySize = Double(Self.fallbackObjectSize); sizeNote = "\(Self.fallbackObjectSize) bytes per entry (assumed: slabinfo unreadable)"
            }
        }
        let count = snapshot.count.value ?? current
        let guardrail = ConntrackMemoryBudget(share: share, memAvailable: available, entrySize: entrySize, count: count)
        let limit = guardrail.maxWithinBudget.rounded(.down)
        let mib = { (bytes: Double) in formatNumber((bytes / 1_048_576 * 10).rounded() / 10) + " MiB" }
        let budgetText = "\(formatNumber(share * 100))% of MemAvailable \(mib(available)) = \(mib(guardrail.budgetBytes)), \(sizeNote)"
        if guardrail.fits(max: target) {
            return .fits("memory budget: \(formatNumber(target)) entries need \(mib(guardrail.additionalBytes(forMax: target))) more, within \(budgetText)")
        }
        guard limit > current else {
            return .refused("memory budget: raising above \(formatNumber(current)) does not fit in \(budgetText); free memory first (see alloc-failure.yaml)")
        }
        return .clamped(limit, "memory budget: \(formatNumber(target)) entries would not fit in \(budgetText); clamped to \(formatNumber(limit))")
    }

    func hashSizeSteps(_ hashSize: HashSize, target: Double, key: String, context: PlanContext,
                       notes: inout [String]) throws(PersistRefusal) -> [PlannedStep] {
        guard Self.conntrackMaxKeys.contains(key) else { return [] }
        let fs = context.fileSystem
        guard let path = ConntrackKeys.hashsizePaths.first(where: { fs.exists($0) }),
              let currentText = try? fs.readText(path).trimmed(.whitespacesAndNewlines),
              let current = Double(currentText) else {
            notes.append("no conntrack hashsize parameter on this host; buckets unchanged")
            return []
        }
        let wanted = (target / Double(hashSize.divisor)).rounded(.down)
        let module = path.split(separator: "/")[2]
        guard wanted > current else {
            if persist != nil { notes += hashSizeBootNotes(module: String(module), wanted: current, context: context) }
            notes.append("hash size \(currentText) already ≥ max / \(hashSize.divisor) = \(formatNumber(wanted))")
            return []
        }
        if NetNamespaces.runsInInitialNamespace(fs) == false {
            notes.append("hash size unchanged: the kernel changes it only from the initial network namespace, and ctfix runs in another one")
            return []
        }
        if let info = try? fs.info(path), !info.isWritable {
            notes.append("\(path) is read-only here (a non-initial network namespace, or a built-in module on an old kernel); hash size unchanged")
            return []
        }
        var steps: [PlannedStep] = [.setValue(path: path, name: "conntrack hashsize", before: currentText, after: formatNumber(wanted))]
        if persist != nil, let step = try hashSizePersistStep(module: String(module), wanted: wanted, context: context, notes: &notes) {
            steps.append(step)
        }
        return steps
    }
}
