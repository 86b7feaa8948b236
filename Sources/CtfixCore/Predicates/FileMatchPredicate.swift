/// `file_matches`: a configuration file on the host has a line matching a pattern. Lets a
/// playbook ask "is this a RHEL-like host whose iptables service loads conntrack?" before
/// proposing to edit that file, and lets an action's `when:` test the state it will change.
public struct FileMatchPredicate: PredicateKind {
    public static let keyword = "file_matches"
    public static let summary = "A file under /etc, /run or /var/lib has a line matching a regular expression."
    public static let allowedPrefixes = ["/etc/", "/run/", "/var/lib/", "/proc/", "/sys/"]

    public static let examples = KindExamples(
        valid: [
            "file_matches:\n  path: /etc/sysconfig/iptables-config\n  pattern: '^IPTABLES_MODULES=.*conntrack'",
            "file_matches:\n  path: /etc/modules-load.d/nf_conntrack.conf\n  pattern: '^nf_conntrack$'",
            "file_matches:\n  path: /proc/modules\n  pattern: '^nf_conntrack '",
        ],
        invalid: [
            .init("file_matches:\n  pattern: x", at: 2, 3, "missing required key 'path'"),
            .init("file_matches:\n  path: etc/hosts\n  pattern: x", at: 2, 9, "absolute"),
            .init("file_matches:\n  path: /home/user/.bashrc\n  pattern: x", at: 2, 9, "must be under"),
            .init("file_matches:\n  path: /etc/../root/x\n  pattern: x", at: 2, 9, "'..'"),
            .init("file_matches:\n  path: /etc/hosts\n  pattern: '(unclosed'", at: 3, 12, "not a valid regular expression"),
            .init("file_matches:\n  path: /etc/hosts\n  pattern: '(\\w+\\s?)+$'", at: 3, 12, "is refused: nested unbounded quantifier"),
            .init("file_matches:\n  path: /etc/hosts\n  pattern: x\n  lines: 3", at: 4, 3, "unknown key 'lines'"),
        ]
    )

    public let path: String
    public let pattern: CompiledPattern

    public static func parse(_ node: YAMLNode, scope: inout ParseScope) -> FileMatchPredicate? {
        guard let reader = MappingReader(node, "'file_matches'", scope: &scope) else { return nil }
        var path: String?
        if let pathNode = reader.required("path", scope: &scope), let text = scope.nonEmptyString(pathNode, "path") {
            do {
                let normalized = try HostPath.normalize(text)
                if allowedPrefixes.contains(where: { normalized.hasPrefix($0) }) {
                    path = normalized
                } else {
                    scope.error(pathNode, "path must be under \(allowedPrefixes.joined(separator: ", ")); found '\(text)'")
                }
            } catch {
                scope.error(pathNode, "path '\(text)' is not usable: \(error.reasonText)")
            }
        }
        let pattern = reader.required("pattern", scope: &scope).flatMap { scope.regex($0, "pattern") }
        reader.finish(scope: &scope)
        guard let path, let pattern else { return nil }
        return FileMatchPredicate(path: path, pattern: pattern)
    }

    public var summaryLine: String { "\(path) has a line matching /\(pattern.source)/" }

    public func evaluate(in context: EvaluationContext) async -> PredicateResult {
        let text: String
        do {
            guard context.host.fileSystem.exists(path) else {
                return PredicateResult(state: .doesNotHold, kind: Self.keyword, predicate: summaryLine,
                                       detail: "\(path) does not exist")
            }
            text = try context.cachedText(path)
        } catch {
            return .unknown(kind: Self.keyword, predicate: summaryLine, "cannot read \(error)")
        }
        var matches: [LogMatch] = []
        var undecided: [Int] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            switch pattern.test(String(line)) {
            case .match: matches.append(LogMatch(time: nil, source: path, line: index + 1, text: String(line)))
            case .noMatch: break
            case .overLimit: undecided.append(index + 1)
            }
            // A hostile file costs at most this many budgets.
            if undecided.count >= CompiledPattern.maximumUndecidedLines { break }
        }
        if matches.isEmpty, let first = undecided.first {
            return .unknown(kind: Self.keyword, predicate: summaryLine,
                            "cannot tell: \(undecided.count) line\(undecided.count == 1 ? "" : "s") of \(path) (first: line \(first)) "
                            + "beyond the pattern limits (\(CompiledPattern.limitsText))")
        }
        var detail = matches.isEmpty ? "no line of \(path) matches"
            : "\(matches.count) line\(matches.count == 1 ? "" : "s") of \(path) match (first: line \(matches[0].line!))"
        if !undecided.isEmpty { detail += "; \(undecided.count) line(s) beyond the pattern limits not matched" }
        return PredicateResult(state: matches.isEmpty ? .doesNotHold : .holds, kind: Self.keyword,
                               predicate: summaryLine, detail: detail, matches: matches, count: matches.count)
    }
}
