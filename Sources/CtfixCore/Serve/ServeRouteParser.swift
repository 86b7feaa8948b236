import Foundation

/// Parses one entry of a serve config's `routes` and checks it against its playbook: the
/// playbook must load, and every `set` name must be one of its parameters.
enum ServeRouteParser {
    static func parse(_ node: YAMLNode, index: Int, scope: inout ParseScope, context: ServeConfigLoader.Context) -> ServeRoute? {
        let what = "routes[\(index)]"
        guard let reader = MappingReader(node, what, scope: &scope) else { return nil }
        defer { reader.finish(scope: &scope) }
        let name = reader.optional("name").flatMap { scope.nonEmptyString($0, "\(what).name") } ?? "route \(index + 1)"

        var matchers: [LabelMatcher] = []
        for key in ["match", "match_re"] {
            guard let n = reader.optional(key), let map = MappingReader(n, "\(what).\(key)", scope: &scope) else { continue }
            for label in map.keys {
                map.accept(label)
                guard let valueNode = map.optional(label), let value = scope.string(valueNode, "\(what).\(key).\(label)") else { continue }
                if key == "match" {
                    matchers.append(LabelMatcher(label: label, kind: .equal(value)))
                } else {
                    do { matchers.append(try LabelMatcher.regex(label, value)) } catch {
                        scope.error(valueNode, "\(what).match_re.\(label) " + (error.isCostRefusal ? "is refused: " : "is not a valid regular expression: ") + error.reason)
                    }
                }
            }
            map.finish(scope: &scope)
        }
        if matchers.isEmpty && reader.optional("match") == nil && reader.optional("match_re") == nil {
            scope.error(node, "\(what) needs 'match' or 'match_re' (a route that matches every alert must say so: match_re: {alertname: '.+'})")
        }

        var mode = ServeMode.dryRun
        if let n = reader.required("mode", scope: &scope), let text = scope.string(n, "\(what).mode") {
            if let parsed = ServeMode(spelling: text) { mode = parsed } else {
                scope.error(n, "\(what).mode must be dry-run or unattended, found '\(text)'")
            }
        }
        let allowDestructive = reader.optional("allow_destructive").flatMap { scope.bool($0, "\(what).allow_destructive") } ?? false

        var parameters: [String: (AlertTemplate, YAMLNode)] = [:]
        if let n = reader.optional("set"), let map = MappingReader(n, "\(what).set", scope: &scope) {
            for key in map.keys {
                map.accept(key)
                guard let valueNode = map.optional(key), let text = scope.string(valueNode, "\(what).set.\(key)") else { continue }
                do { parameters[key] = (try AlertTemplate(parsing: text), map.keyNode(key) ?? valueNode) } catch {
                    scope.error(line: valueNode.line, column: valueNode.column + (quoted(valueNode) ? 1 : 0) + error.offset,
                                "\(what).set.\(key): \(error.message)")
                }
            }
            map.finish(scope: &scope)
        }

        guard let playbookNode = reader.required("playbook", scope: &scope),
              let argument = scope.nonEmptyString(playbookNode, "\(what).playbook") else { return nil }
        let path: String
        // The lookup rule of `run`: a path (a `/`, or `.yaml`/`.yml`) is taken relative to the
        // config's directory; a bare name only from the playbook directories.
        if PlaybookLocator.isPath(argument) {
            path = context.absolute(argument)
        } else if let found = context.locator.resolve(argument) {
            path = found.path
        } else {
            scope.error(playbookNode, "\(what).playbook: no playbook '\(argument)' (a name is looked up in \(context.locator.directories.map { "\($0.path) (\($0.origin))" }.joined(separator: ", ")); a path is taken relative to the config)")
            return nil
        }
        let playbook: Playbook
        do { playbook = try PlaybookLoader.load(path: path, trust: context.trust) } catch {
            let first = error.errors.first?.description ?? "invalid"
            scope.error(playbookNode, "\(what).playbook: '\(path)' does not load: \(first)")
            return nil
        }
        let known = Set(playbook.parameters.map(\.name))
        var declarations: [String: Parameter] = [:]
        for (key, (_, keyNode)) in parameters.sorted(by: { $0.key < $1.key }) {
            guard let declared = playbook.parameters.first(where: { $0.name == key }) else {
                scope.error(keyNode, "\(what).set: playbook \(playbook.name) has no parameter '\(key)'" + suggestion(key, known))
                continue
            }
            // Alert labels are untrusted: only a parameter the playbook declares settable from
            // alerts (and in which direction that is stricter) may be bound to one.
            guard declared.fromAlerts != nil else {
                scope.error(keyNode, "\(what).set: parameter '\(key)' of playbook \(playbook.name) is not settable from alerts (the playbook must declare 'from_alerts: {stricter_when: above|below}' on it)")
                continue
            }
            declarations[key] = declared
        }
        return ServeRoute(name: name, matchers: matchers, playbookPath: path, playbookName: playbook.name,
                          cooldown: playbook.cooldown, mode: mode, allowDestructive: allowDestructive,
                          parameters: parameters.mapValues { $0.0 }, declarations: declarations)
    }

    private static func quoted(_ node: YAMLNode) -> Bool {
        if case .scalar(_, true) = node.value { return true }
        return false
    }
}
