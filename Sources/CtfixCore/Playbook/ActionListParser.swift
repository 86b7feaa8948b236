/// Parses `actions:`: an ordered, non-empty list of actions, each with a unique name, a
/// one-sentence `explain`, a risk class no lower than its kind allows, and exactly one kind key.
enum ActionListParser {
    static let commonKeys = ["name", "explain", "risk", "when", "allow_unattended"]

    static func parse(_ node: YAMLNode, scope: inout ParseScope) -> [PlaybookAction] {
        guard let items = scope.list(node, "'actions'") else { return [] }
        guard !items.isEmpty else {
            scope.error(node, "'actions' must list at least one action (a playbook that only detects is a check: use 'ctfix check')")
            return []
        }
        guard items.count <= ParseLimits.maximumActions else {
            scope.error(node, "'actions' lists \(items.count) actions, more than the limit of \(ParseLimits.maximumActions)")
            return []
        }
        var actions: [PlaybookAction] = []
        var seen: [String: Int] = [:]
        for item in items {
            guard let action = parseAction(item, scope: &scope) else { continue }
            if let first = seen[action.name] {
                scope.error(line: action.line, column: action.column, "duplicate action name '\(action.name)' (first at line \(first))")
            }
            seen[action.name] = seen[action.name] ?? action.line
            actions.append(action)
        }
        return actions
    }

    static func parseAction(_ node: YAMLNode, scope: inout ParseScope) -> PlaybookAction? {
        guard let reader = MappingReader(node, "an action", scope: &scope) else { return nil }
        let nameNode = reader.required("name", scope: &scope)
        let name = nameNode.flatMap { scope.nonEmptyString($0, "action name") } ?? ""
        if let nameNode, !name.isEmpty, !CompiledPattern.ownPatternMatches("^[a-z0-9][a-z0-9._-]{0,62}$", name) {
            scope.error(nameNode, "action name must be lowercase letters, digits, '.', '_' or '-', found '\(Parameter.shown(name))' (at most 63 characters)")
        }
        let explain = reader.required("explain", scope: &scope).flatMap { scope.lineOfText($0, "explain") } ?? ""
        var risk: RiskClass?
        let riskNode = reader.required("risk", scope: &scope)
        if let riskNode, let text = scope.string(riskNode, "risk") {
            risk = RiskClass(rawValue: text)
            if risk == nil {
                scope.error(riskNode, "risk must be one of: safe, disruptive, destructive; found '\(text)'" + suggestion(text, RiskClass.allCases.map(\.rawValue)))
            }
        }
        let when = reader.optional("when").flatMap { Predicate.parse($0, scope: &scope, what: "'when'") }
        let allowUnattended = reader.optional("allow_unattended").flatMap { scope.bool($0, "allow_unattended") } ?? false

        let kindKeys = reader.keys.filter { !commonKeys.contains($0) }
        let known = PlaybookAction.kinds.map { $0.keyword }
        let kindKeyNodes = kindKeys.filter { known.contains($0) }
        var kind: (any ActionKind)?
        if kindKeyNodes.count > 1, let second = reader.keyNode(kindKeyNodes[1]) {
            for key in kindKeyNodes { reader.accept(key) } // reported once here, not again as unknown
            scope.error(second, "an action has exactly one kind; found \(kindKeyNodes.joined(separator: " and ")) — split it into two actions")
        } else if kindKeyNodes.isEmpty {
            if kindKeys.isEmpty {
                scope.error(node, "action '\(name)' has no kind; add one of: \(known.joined(separator: ", "))")
            }
        } else if let keyword = kindKeyNodes.first, let type = PlaybookAction.kinds.first(where: { $0.keyword == keyword }),
                  let body = reader.optional(keyword) {
            kind = type.parse(body, scope: &scope)
            if kind != nil, let risk, risk < type.minimumRisk, let riskNode {
                scope.error(riskNode, "a \(keyword) action is at least '\(type.minimumRisk.rawValue)'; declared '\(risk.rawValue)'")
            }
        }
        // Any other key: unknown, with the kinds offered as suggestions.
        for key in kindKeys where !known.contains(key) {
            if let keyNode = reader.keyNode(key) {
                scope.error(keyNode, "unknown key '\(key)' in an action" + suggestion(key, known + commonKeys)
                            + "; action kinds are: \(known.joined(separator: ", "))")
            }
            reader.accept(key)
        }
        reader.finish(scope: &scope)
        guard let kind, let risk else { return nil }
        if allowUnattended, risk != .destructive, let node = reader.optional("allow_unattended") {
            scope.warning(node, "allow_unattended only matters for destructive actions; '\(risk.rawValue)' actions already run unattended")
        }
        return PlaybookAction(name: name, explain: explain, risk: risk, when: when, allowUnattended: allowUnattended,
                              kind: kind, line: node.line, column: node.column)
    }
}
