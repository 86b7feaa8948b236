/// Reads and checks a `sysctl:` action body. Everything that can be known before touching a
/// host is checked here — key syntax, that a change can go the declared direction, that the
/// floor is not above the ceiling — so a playbook that could never do what it says fails
/// `ctfix validate`, not a 3 a.m. run.
enum SysctlActionParser {
    static func parse(_ node: YAMLNode, scope: inout ParseScope) -> SysctlAction? {
        guard let reader = MappingReader(node, "'sysctl'", scope: &scope) else { return nil }
        let variables = SysctlAction.expressionVariables
        let keys = reader.required("key", scope: &scope).flatMap { parseKeys($0, scope: &scope) }

        var change: SysctlAction.Change?
        if let (key, value) = reader.onlyOneOf(["set", "multiply", "add"], in: "'sysctl'", scope: &scope),
           let expression = scope.expression(value, "sysctl \(key)", variables: variables) {
            switch key {
            case "set": change = .set(expression)
            case "multiply": change = .multiply(expression)
            default: change = .add(expression)
            }
        }
        let floorNode = reader.optional("floor"), ceilingNode = reader.optional("ceiling")
        let floor = floorNode.flatMap { scope.expression($0, "sysctl floor", variables: variables) }
        let ceiling = ceilingNode.flatMap { scope.expression($0, "sysctl ceiling", variables: variables) }
        if let low = floor?.constantValue, let high = ceiling?.constantValue, low > high, let ceilingNode {
            scope.error(ceilingNode, "sysctl ceiling (\(formatNumber(high))) is below floor (\(formatNumber(low))); no value can satisfy both")
        }

        var direction = SysctlAction.Direction.any
        let directionNode = reader.optional("direction")
        if let directionNode, let text = scope.string(directionNode, "sysctl direction") {
            if let parsed = SysctlAction.Direction(rawValue: text) { direction = parsed } else {
                scope.error(directionNode, "sysctl direction must be one of: raise, lower, any; found '\(text)'"
                            + suggestion(text, SysctlAction.Direction.allCases.map(\.rawValue)))
            }
        }
        if let change, let node = changeNode(reader, change) {
            checkChange(change, direction: direction, node: node, scope: &scope)
        }

        let budgetNode = reader.optional("memory_budget")
        let memoryBudget = budgetNode.flatMap { parseMemoryBudget($0, scope: &scope) }
        let hashNode = reader.optional("hashsize")
        let hashSize = hashNode.flatMap { parseHashSize($0, scope: &scope) }
        let persist = reader.optional("persist").flatMap { parsePersist($0, scope: &scope) }
        if let keys {
            let others = keys.filter { !SysctlAction.conntrackMaxKeys.contains(SysctlAction.dottedKey($0)) }
            for (name, value) in [("memory_budget", memoryBudget != nil), ("hashsize", hashSize != nil)] where value && !others.isEmpty {
                if let keyNode = reader.keyNode(name) {
                    scope.error(keyNode, "\(name) only applies to the conntrack table size (\(SysctlAction.conntrackMaxKeys.joined(separator: ", "))), not '\(others[0])'")
                }
            }
        }
        reader.finish(scope: &scope)

        guard let keys, let change, !(budgetNode != nil && memoryBudget == nil), !(hashNode != nil && hashSize == nil) else { return nil }
        return SysctlAction(keys: keys, change: change, floor: floor, ceiling: ceiling, direction: direction,
                            memoryBudget: memoryBudget, hashSize: hashSize, persist: persist)
    }

    /// A key or a list of alternatives, each checked at its own node (the same rules as the
    /// `sysctl:` value source).
    private static func parseKeys(_ node: YAMLNode, scope: inout ParseScope) -> [String]? {
        SysctlKey.parseAlternatives(node, what: "sysctl key", scope: &scope)?.map(\.text)
    }

    private static func changeNode(_ reader: MappingReader, _ change: SysctlAction.Change) -> YAMLNode? {
        reader.optional(change.keyword)
    }

    /// Constant changes that do nothing, or can only go against the declared direction.
    private static func checkChange(_ change: SysctlAction.Change, direction: SysctlAction.Direction, node: YAMLNode,
                                    scope: inout ParseScope) {
        guard let value = change.expression.constantValue else { return }
        let text = formatNumber(value)
        switch change {
        case .set:
            return
        case .multiply:
            if value <= 0 {
                scope.error(node, "sysctl multiply must be greater than zero, found \(text)")
            } else if value == 1 {
                scope.error(node, "sysctl multiply 1 changes nothing")
            } else if direction == .raise && value < 1 || direction == .lower && value > 1 {
                scope.error(node, "sysctl multiply \(text) can only \(value < 1 ? "lower" : "raise") the value, but direction is '\(direction.rawValue)'")
            }
        case .add:
            if value == 0 {
                scope.error(node, "sysctl add 0 changes nothing")
            } else if direction == .raise && value < 0 || direction == .lower && value > 0 {
                scope.error(node, "sysctl add \(text) can only \(value < 0 ? "lower" : "raise") the value, but direction is '\(direction.rawValue)'")
            }
        }
    }

    private static func parseMemoryBudget(_ node: YAMLNode, scope: inout ParseScope) -> SysctlAction.MemoryBudget? {
        guard let reader = MappingReader(node, "'memory_budget'", scope: &scope) else { return nil }
        var ok = true
        var share = NumberExpression(0.25)
        if let shareNode = reader.optional("share") {
            if let parsed = scope.expression(shareNode, "memory_budget share") {
                share = parsed
                if let value = parsed.constantValue, !(value > 0 && value <= 0.9) {
                    scope.error(shareNode, "memory_budget share must be above 0% and at most 90% of MemAvailable (such as 25%), found \(parsed.text)")
                    ok = false
                }
            } else {
                ok = false
            }
        }
        var objectSize = SysctlAction.MemoryBudget.ObjectSize.auto
        if let sizeNode = reader.optional("object_size"), sizeNode.scalar != "auto" {
            if let value = (try? NumberExpression(parsing: sizeNode.scalar ?? ""))?.constantValue,
               value == value.rounded(), value >= 16, value <= 65536, !sizeNode.isNull {
                objectSize = .bytes(Int(value))
            } else {
                scope.error(sizeNode, "memory_budget object_size must be 'auto' or a whole number of bytes from 16 to 65536 (such as 320), found \(sizeNode.kindDescription)")
                ok = false
            }
        }
        reader.finish(scope: &scope)
        return ok ? SysctlAction.MemoryBudget(share: share, objectSize: objectSize) : nil
    }

    private static func parseHashSize(_ node: YAMLNode, scope: inout ParseScope) -> SysctlAction.HashSize? {
        guard let reader = MappingReader(node, "'hashsize'", scope: &scope) else { return nil }
        let divisor = reader.required("divisor", scope: &scope).flatMap { scope.integer($0, "hashsize divisor", in: 1...64) }
        reader.finish(scope: &scope)
        return divisor.map { SysctlAction.HashSize(divisor: $0) }
    }

    private static func parsePersist(_ node: YAMLNode, scope: inout ParseScope) -> SysctlAction.Persist? {
        guard let reader = MappingReader(node, "'persist'", scope: &scope) else { return nil }
        var file: String?
        if let fileNode = reader.required("file", scope: &scope), let path = scope.normalizedHostPath(fileNode, "persist file") {
            if path == "/etc/sysctl.conf" || CompiledPattern.ownPatternMatches("^/etc/sysctl\\.d/[A-Za-z0-9_.-]+\\.conf$", path) {
                file = path
            } else {
                scope.error(fileNode, "persist file must be /etc/sysctl.conf or /etc/sysctl.d/NAME.conf (where sysctl reads at boot), found '\(path)'")
            }
        }
        var module: String?
        var moduleOK = true
        if let moduleNode = reader.optional("modules_load") {
            module = scope.nonEmptyString(moduleNode, "persist modules_load")
            if let name = module, !KernelModuleName.isValid(name) {
                scope.error(moduleNode, "persist modules_load must be a module name (lowercase letters, digits, '_'), found '\(name)'")
                module = nil
            }
            moduleOK = module != nil
        }
        reader.finish(scope: &scope)
        guard let file, moduleOK else { return nil }
        return SysctlAction.Persist(file: file, modulesLoad: module)
    }
}
