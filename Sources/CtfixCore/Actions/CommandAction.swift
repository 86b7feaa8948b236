/// Runs a program — the escape hatch for what no other kind does (flush conntrack entries with
/// `conntrack -F`, notify a chat channel). Its declared minimum is `safe` only because ctfix
/// cannot know what a program does: the playbook author must declare the real risk, and reviewers
/// should read a `command` action's `risk` first. The environment is cleared (a fixed PATH and
/// LC_ALL=C remain) plus `environment:` entries, so a run does not depend on who started ctfix.
public struct CommandAction: ActionKind {
    public static let keyword = "command"
    public static let summary = "Run a program (argv, no shell) or a /bin/sh script, with a timeout and a cleared environment; declare its real risk."
    public static let minimumRisk = RiskClass.safe

    public static let defaultTimeout = Duration.seconds(60)
    public static let maximumTimeout = Duration.seconds(3600)

    /// What to run.
    public enum Program: Sendable, Equatable {
        /// Executed directly: each element is one argument after `${param}` rendering, so a
        /// parameter value can never become two arguments or shell syntax. The program itself is
        /// literal (an absolute path or a name looked up in PATH).
        case argv([StringTemplate])
        /// Run by `/bin/sh -c`, literally: `${VAR}` in the script is the shell's, not ctfix's.
        /// Pass parameters through `environment:` and quote them in the script ("$SERVICE").
        case shell(String)
    }

    public var program: Program
    public var timeout: Duration
    /// Added to the program's otherwise cleared environment; values may use `${param}`.
    public var environment: [String: StringTemplate]

    public init(program: Program, timeout: Duration = CommandAction.defaultTimeout, environment: [String: StringTemplate] = [:]) {
        self.program = program
        self.timeout = timeout
        self.environment = environment
    }

    public static func parse(_ node: YAMLNode, scope: inout ParseScope) -> CommandAction? {
        guard let reader = MappingReader(node, "'command'", scope: &scope) else { return nil }
        var program: Program?
        if let (key, value) = reader.onlyOneOf(["argv", "shell"], in: "'command'", scope: &scope) {
            program = key == "argv" ? parseArgv(value, scope: &scope) : scope.nonEmptyString(value, "command shell").map { .shell($0) }
        }
        var timeout: Duration? = defaultTimeout
        if let timeoutNode = reader.optional("timeout") {
            timeout = scope.boundedDuration(timeoutNode, "command timeout", atMost: maximumTimeout)
        }
        var environment: [String: StringTemplate]? = [:]
        if let envNode = reader.optional("environment") {
            environment = parseEnvironment(envNode, scope: &scope)
        }
        reader.finish(scope: &scope)
        guard let program, let timeout, let environment else { return nil }
        return CommandAction(program: program, timeout: timeout, environment: environment)
    }

    private static func parseArgv(_ node: YAMLNode, scope: inout ParseScope) -> Program? {
        guard let items = scope.list(node, "command argv") else { return nil }
        guard let first = items.first else {
            scope.error(node, "command argv must name at least the program")
            return nil
        }
        var arguments: [StringTemplate] = []
        for item in items {
            if let template = scope.template(item, "each command argv entry") { arguments.append(template) }
        }
        guard arguments.count == items.count else { return nil }
        let program = arguments[0]
        if !program.references.isEmpty {
            scope.error(first, "the program in command argv must be written out, not taken from a parameter ('\(program.text)')")
            return nil
        }
        if program.text.hasPrefix("/") {
            if (try? HostPath.normalize(program.text)) == nil {
                scope.error(first, "the program in command argv must be an absolute path without '..' or a bare program name, found '\(program.text)'")
                return nil
            }
        } else if !CompiledPattern.ownPatternMatches("^[A-Za-z0-9_][A-Za-z0-9._+-]*$", program.text) {
            scope.error(first, "the program in command argv must be an absolute path or a bare program name looked up in PATH, found '\(program.text)'")
            return nil
        }
        return .argv(arguments)
    }

    private static func parseEnvironment(_ node: YAMLNode, scope: inout ParseScope) -> [String: StringTemplate]? {
        guard case .mapping(let pairs) = node.value else {
            scope.error(node, "command environment must be a mapping of NAME: value, found \(node.kindDescription)")
            return nil
        }
        var result: [String: StringTemplate] = [:]
        var ok = true
        for pair in pairs {
            guard let name = pair.key.scalar else {
                scope.error(pair.key, "command environment names must be plain strings")
                ok = false
                continue
            }
            guard CompiledPattern.ownPatternMatches("^[A-Z_][A-Z0-9_]*$", name) else {
                scope.error(pair.key, "command environment name '\(name)' must be uppercase letters, digits and '_' (not starting with a digit)")
                ok = false
                continue
            }
            // A quoted empty value is allowed (`DEBUG: ""`); templates are checked for parameters.
            if case .scalar(let text, true) = pair.value.value, text.isEmpty {
                result[name] = try? StringTemplate.parse("").get()
            } else if let value = scope.template(pair.value, "command environment \(name)") {
                result[name] = value
            } else {
                ok = false
            }
        }
        return ok ? result : nil
    }

    public var summaryLine: String {
        let what: String
        switch program {
        case .argv(let arguments): what = "run " + arguments.map { shellQuoted($0.text) }.joined(separator: " ")
        case .shell(let script):
            let oneLine = script.split(separator: "\n").joined(separator: "; ")
            what = "run /bin/sh -c " + shellQuoted(oneLine.count > 80 ? String(oneLine.prefix(80)) + "…" : oneLine)
        }
        let env = environment.keys.sorted().map { "\($0)=\(environment[$0]!.text)" }
        return what + " (timeout \(DurationText.format(timeout))" + (env.isEmpty ? "" : ", environment \(env.joined(separator: " "))") + ")"
    }

    /// Quotes an argument for display the way a shell would need it.
    private func shellQuoted(_ text: String) -> String {
        if !text.isEmpty, CompiledPattern.ownPatternMatches("^[A-Za-z0-9_./=:@%+,${}-]+$", text) { return text }
        return "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

extension CommandAction {
    public static let examples = KindExamples(
        valid: [
            """
            name: flush-udp-entries
            explain: Drop the tracked UDP flows that filled the table; TCP sessions are kept.
            risk: disruptive
            command:
              argv: [/usr/sbin/conntrack, -D, -p, udp]
              timeout: 30s
            """,
            """
            name: notify
            explain: Tell the team what happened on this host.
            risk: safe
            command:
              shell: 'logger -t ctfix "conntrack table raised on $(hostname) for $SERVICE"'
              environment:
                SERVICE: "${service}"
                PATH: /usr/bin:/bin
            """,
            """
            name: restart-by-hand
            explain: The unit has no restart support; stop and start it.
            risk: disruptive
            command:
              argv:
                - systemctl
                - try-restart
                - "${service}"
              timeout: 2m
            """,
        ],
        invalid: [
            .init("""
                name: both
                explain: x
                risk: safe
                command:
                  argv: [conntrack, -F]
                  shell: conntrack -F
                """, at: 6, 3, "'command' takes only one of argv, shell; found argv and shell"),
            .init("""
                name: neither
                explain: x
                risk: safe
                command:
                  timeout: 5s
                """, at: 5, 3, "'command' needs exactly one of: argv, shell"),
            .init("""
                name: relative
                explain: x
                risk: safe
                command:
                  argv: [./flush.sh]
                """, at: 5, 10, "must be an absolute path or a bare program name"),
            .init("""
                name: program-from-parameter
                explain: x
                risk: safe
                command:
                  argv: ["${service}", stop]
                """, at: 5, 10, "must be written out, not taken from a parameter"),
            .init("""
                name: long
                explain: x
                risk: safe
                command:
                  shell: sleep 7200
                  timeout: 2h
                """, at: 6, 12, "command timeout must be at most 1h, found 2h"),
            .init("""
                name: lowercase-env
                explain: x
                risk: safe
                command:
                  argv: [env]
                  environment:
                    path: /usr/bin
                """, at: 7, 5, "command environment name 'path' must be uppercase"),
            .init("""
                name: shell-as-list
                explain: x
                risk: safe
                command:
                  shell: [conntrack, -F]
                """, at: 5, 10, "command shell must be a string, found a list"),
        ],
        parameters: ["service"]
    )
}
