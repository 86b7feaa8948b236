import Foundation

extension SysctlAction {
    /// Keys the kernel keeps per network namespace and that ctfix sets in a namespace in
    /// trouble: the conntrack timeouts (`net.netfilter.nf_conntrack_tcp_timeout_established`…).
    /// `nf_conntrack_max` and the hash size are global and stay initial-namespace only.
    static func isPerNamespace(_ key: String) -> Bool {
        key.hasPrefix("net.netfilter.nf_conntrack_") && key.containsLiteral("timeout")
    }

    /// Why the initial namespace needs no change (direction), or nil.
    func unchangedReason(key: String, current: Double, target: Double) -> String? {
        switch direction {
        case .raise where target < current: "\(key) is \(formatNumber(current)), already above the computed \(formatNumber(target))"
        case .lower where target > current: "\(key) is \(formatNumber(current)), already below the computed \(formatNumber(target))"
        default: nil
        }
    }

    struct Refusal: Error { var reason: String }

    /// The new value for a current one: the expression, then the floor and the ceiling.
    func computeTarget(current: Double, key: String, context: PlanContext, notes: inout [String]) -> Result<Double, Refusal> {
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
            return .failure(Refusal(reason: "cannot compute the new value of \(key): \(error)"))
        }
        target = target.rounded(.down)
        guard target >= 0 else { return .failure(Refusal(reason: "the computed value \(formatNumber(target)) for \(key) is negative")) }
        return .success(target)
    }

    /// One step per non-initial namespace detection named, each computed from that
    /// namespace's own current value (read through `namespaceAccess`, which checks the pid is
    /// still in it). A namespace without a process now, or unreadable, gets a note, not a step.
    /// Not persisted: a namespace's value lasts as long as the namespace.
    func namespaceSteps(key: String, path: String, context: PlanContext, notes: inout [String]) -> [PlannedStep] {
        let known = context.evaluation.netNamespaces
        var steps: [PlannedStep] = []
        for id in context.namespacesInTrouble {
            guard let namespace = known.first(where: { $0.id == id }) else {
                notes.append("netns \(id) named by detection has no process now (gone, or not visible from here); \(key) not set there")
                continue
            }
            guard !namespace.isInitial else { continue }
            let label = namespace.displayName
            let target = NamespaceTarget(id: id, pid: namespace.pid)
            let currentText: String
            do {
                currentText = try context.host.namespaceAccess.read(path, in: target).trimmed(.whitespacesAndNewlines)
            } catch {
                notes.append("in \(label): cannot read \(key): \(error.message); not set there")
                continue
            }
            guard let current = Double(currentText) else {
                notes.append("in \(label): \(key) holds '\(TerminalText.escape(currentText))', not a single number; not set there")
                continue
            }
            var own: [String] = []
            guard case .success(let value) = computeTarget(current: current, key: key, context: context, notes: &own) else {
                notes.append("in \(label): cannot compute the new value of \(key); not set there")
                continue
            }
            notes += own.map { "in \(label): \($0)" }
            if let reason = unchangedReason(key: key, current: current, target: value) ?? (value == current ? "\(key) is already \(currentText)" : nil) {
                notes.append("in \(label): \(reason)")
                continue
            }
            steps.append(.setNamespaceValue(namespace: target, label: label, path: path, name: key,
                                            before: currentText, after: formatNumber(value)))
        }
        if !steps.isEmpty { notes.append("values set inside a network namespace are not persisted: they last as long as the namespace") }
        return steps
    }
}
