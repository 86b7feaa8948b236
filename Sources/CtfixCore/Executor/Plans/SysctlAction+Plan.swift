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
            currentText = try fs.readText(path).trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            return .refused("cannot read \(key): \(error.reasonText)")
        }
        guard let current = Double(currentText) else {
            return .refused("\(key) holds '\(currentText)', not a single number")
        }
        var variables = context.facts.variables
        variables["current"] = current
        let numbers = context.parameters.numericValues
        var target: Double
        do {
            let value = try change.expression.evaluate(parameters: numbers, variables: variables)
            switch change {
            case .set: target = value
            case .multiply: target = current * value
            case .add: target = current + value
            }
            if let floor {
                let bound = try floor.evaluate(parameters: numbers, variables: variables)
                if target < bound { notes.append("raised to the floor \(formatNumber(bound))"); target = bound }
            }
            if let ceiling {
                let bound = try ceiling.evaluate(parameters: numbers, variables: variables)
                if target > bound { notes.append("lowered to the ceiling \(formatNumber(bound))"); target = bound }
            }
        } catch {
            return .refused("cannot compute the new value of \(key): \(error)")
        }
        target = target.rounded(.down)
        guard target >= 0 else { return .refused("the computed value \(formatNumber(target)) for \(key) is negative") }

        switch direction {
        case .raise where target < current:
            return .noChange("\(key) is \(formatNumber(current)), already above the computed \(formatNumber(target))", notes: notes)
        case .lower where target > current:
            return .noChange("\(key) is \(formatNumber(current)), already below the computed \(formatNumber(target))", notes: notes)
        default:
            break
        }

        if let memoryBudget, target > current {
            switch checkBudget(memoryBudget, target: target, current: current, context: context) {
            case .fits(let note): notes.append(note)
            case .clamped(let value, let note): target = value; notes.append(note)
            case .refused(let reason): return .refused(reason, notes: notes)
            }
        }
        guard target != current else {
            return .noChange("\(key) is already \(formatNumber(current))", notes: notes)
        }
        if let info = try? fs.info(path), !info.isWritable {
            notes.append("\(path) is not writable here (a non-initial network namespace keeps nf_conntrack_max read-only); the write will fail")
        }
        var steps: [PlannedStep] = [.setValue(path: path, name: key, before: currentText, after: formatNumber(target))]
        do {
            if let hashSize { steps += try hashSizeSteps(hashSize, target: target, key: key, context: context, notes: &notes) }
            if let persist { steps += try persistSteps(persist, key: key, value: target, context: context, notes: &notes) }
        } catch { return .refused(error.reason, notes: notes) }
        return ActionPlan(status: .ready, steps: steps, notes: notes)
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
              let currentText = try? fs.readText(path).trimmingCharacters(in: .whitespacesAndNewlines),
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
