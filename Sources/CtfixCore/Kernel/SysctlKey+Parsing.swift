extension SysctlKey {
    /// A key or a list of alternative keys as a playbook writes them (`sysctl:` in a value
    /// source, `key:` in a sysctl action), each checked at its own node, duplicates refused.
    /// One parser for both places, so a key valid in detection is valid in an action.
    public static func parseAlternatives(_ node: YAMLNode, what: String, scope: inout ParseScope) -> [SysctlKey]? {
        let items: [YAMLNode]
        switch node.value {
        case .scalar: items = [node]
        case .sequence(let list):
            guard !list.isEmpty else {
                scope.error(node, "\(what) must name at least one key")
                return nil
            }
            items = list
        case .mapping:
            scope.error(node, "\(what) must be a key or a list of alternative keys, found a mapping")
            return nil
        }
        var keys: [SysctlKey] = []
        var seen: Set<String> = []
        var ok = true
        for item in items {
            guard let text = scope.nonEmptyString(item, "a sysctl key") else { ok = false; continue }
            do {
                let key = try SysctlKey(text)
                if !seen.insert(key.path).inserted {
                    scope.error(item, "sysctl key '\(text)' is listed twice")
                    ok = false
                } else {
                    keys.append(key)
                }
            } catch {
                scope.error(item, error.description)
                ok = false
            }
        }
        return ok ? keys : nil
    }
}
