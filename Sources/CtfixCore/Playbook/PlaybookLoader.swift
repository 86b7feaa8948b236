import Foundation

/// Reads and validates playbooks. Every problem in a file is collected and thrown once as a
/// `DiagnosticError` whose entries print as `file:line:col: error: message`.
public enum PlaybookLoader {
    /// The format version this build understands.
    public static let formatVersion = 1

    /// Loads a playbook from a path on this machine without judging who may change it: for
    /// tests and tools that only parse. Commands that act on a host (or report on one) use
    /// `load(path:trust:)` or `load(_:locator:trust:)`. (Playbooks are not read under
    /// `--root`: the reviewer's playbook is applied to the captured host.)
    public static func load(path: String) throws(DiagnosticError) -> Playbook {
        try load(path: path, trust: .unchecked)
    }

    /// Loads a playbook file, refusing it when `trust` does not trust the file or a directory
    /// above it. The content parsed is the content read from the descriptor that was judged.
    public static func load(path: String, trust: PlaybookTrust) throws(DiagnosticError) -> Playbook {
        let data: Data
        do {
            data = try trust.read(path)
        } catch {
            let message = switch error {
            case .notFound: "playbook no such file"
            case .notAFile: "playbook is not a regular file"
            case .unreadable(let reason): "playbook cannot be read (\(reason))"
            case .untrusted(let violation): violation.description
            }
            throw DiagnosticError([Diagnostic(file: path, line: 1, column: 1, message: message)])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw DiagnosticError([Diagnostic(file: path, line: 1, column: 1, message: "playbook is not valid UTF-8 text")])
        }
        var playbook = try parse(text, file: path)
        playbook.sha256 = Playbook.sha256Hex(data)
        return playbook
    }

    /// Loads what an operator typed: a path (anything with a `/` or ending in `.yaml`/`.yml`)
    /// as given, or a bare name looked up only in `locator`'s directories, never the current
    /// directory (nil locator: every argument is a path). `note` hears which file a name chose
    /// and what it shadows.
    public static func load(_ argument: String, locator: PlaybookLocator?, trust: PlaybookTrust,
                            note: (String) -> Void = { _ in }) throws(DiagnosticError) -> Playbook {
        guard let locator else { return try load(path: argument, trust: trust) }
        guard let (path, shadowed) = locator.resolve(argument) else {
            throw DiagnosticError([locator.notFound(argument)])
        }
        if path != argument {
            note("using \(path)" + (shadowed.isEmpty ? "" : " (shadows \(shadowed.joined(separator: ", ")))"))
        }
        return try load(path: path, trust: trust)
    }

    /// Parses playbook text; `file` is only used in messages.
    public static func parse(_ text: String, file: String) throws(DiagnosticError) -> Playbook {
        let root = try YAMLDocumentParser.parse(text, file: file)
        var scope = ParseScope(file: file)
        let playbook = parse(root, scope: &scope)
        if scope.hasErrors || playbook == nil {
            throw DiagnosticError(scope.diagnostics.isEmpty
                ? [Diagnostic(file: file, line: 1, column: 1, message: "invalid playbook")] : scope.diagnostics)
        }
        var result = playbook!
        result.sha256 = Playbook.sha256Hex(Data(text.utf8))
        return result
    }

    static func parse(_ root: YAMLNode, scope: inout ParseScope) -> Playbook? {
        guard let top = MappingReader(root, "the playbook", scope: &scope) else { return nil }

        if let versionNode = top.required("version", scope: &scope),
           let version = scope.integer(versionNode, "version") , version != formatVersion {
            scope.error(versionNode, "unsupported playbook version \(version); this ctfix reads version \(formatVersion)")
        }
        var name = ""
        if let node = top.required("name", scope: &scope), let text = scope.nonEmptyString(node, "name") {
            if !CompiledPattern.ownPatternMatches("^[a-z0-9][a-z0-9._-]{0,62}$", text) {
                scope.error(node, "name must be lowercase letters, digits, '.', '_' or '-' (at most 63), found '\(text)'")
            }
            name = text
        }
        let summary = top.required("summary", scope: &scope).flatMap { scope.lineOfText($0, "summary") } ?? ""
        let description = top.optional("description").flatMap { scope.string($0, "description") }

        var parameters = top.optional("parameters").map { ParameterParser.parse($0, scope: &scope) } ?? []
        scope.parameterNames = Set(parameters.map(\.name))
        scope.parameterTypes = Dictionary(parameters.map { ($0.name, $0.type) }, uniquingKeysWith: { first, _ in first })

        let detect = top.required("detect", scope: &scope).flatMap { Predicate.parse($0, scope: &scope, what: "'detect'") }
        let actions = top.required("actions", scope: &scope).map { ActionListParser.parse($0, scope: &scope) } ?? []

        var verify: Verification?
        if let node = top.optional("verify"), let reader = MappingReader(node, "'verify'", scope: &scope) {
            let delay = reader.optional("delay").flatMap { scope.duration($0, "verify.delay", allowZero: true) } ?? .zero
            if delay > .seconds(3600) { scope.error(reader.optional("delay")!, "verify.delay must be at most 1h") }
            let healthy = reader.optional("healthy").flatMap { Predicate.parse($0, scope: &scope, what: "verify.healthy") }
            reader.finish(scope: &scope)
            verify = Verification(delay: delay, healthy: healthy)
        }

        var onFailure = Playbook.FailurePolicy.stop
        if let node = top.optional("on_failure"), let text = scope.string(node, "on_failure") {
            if let policy = Playbook.FailurePolicy(rawValue: text) { onFailure = policy } else {
                scope.error(node, "on_failure must be one of: stop, rollback; found '\(text)'")
            }
        }
        let cooldown = top.optional("cooldown").flatMap { scope.duration($0, "cooldown", allowZero: true) }
        top.finish(scope: &scope)
        ParameterParser.promoteShares(&parameters, declarations: top.optional("parameters"), scope: &scope)

        guard let detect, !scope.hasErrors else { return nil }
        return Playbook(path: scope.file, sha256: "", name: name, summary: summary, description: description,
                        parameters: parameters, detect: detect, actions: actions, verify: verify,
                        onFailure: onFailure, cooldown: cooldown)
    }
}

extension DiagnosticError {
    /// True when the only problem is that the playbook does not exist (exit 66, not 65): a
    /// missing file, or a name found in none of the playbook directories.
    public var isPlaybookNotFound: Bool {
        diagnostics.count == 1 && (diagnostics[0].message.hasPrefix("playbook no such file")
            || diagnostics[0].message.hasPrefix(PlaybookLocator.notFoundPrefix))
    }
}
