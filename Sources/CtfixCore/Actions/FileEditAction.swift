/// Edits matching lines of a configuration file under `/etc` — how a RHEL-like host is kept from
/// loading conntrack at boot (`IPTABLES_MODULES` in `/etc/sysconfig/iptables-config`). The file is
/// written atomically with a backup by the executor; here the edit is declared and checked.
public struct FileEditAction: ActionKind {
    public static let keyword = "file_edit"
    public static let summary = "Comment out, replace or delete the lines of a file under /etc that match a regular expression, atomically and with a backup."
    public static let minimumRisk = RiskClass.safe

    /// What happens to each matching line.
    public enum Edit: Sendable, Equatable {
        /// The line is kept behind this prefix (`#`).
        case commentOut(prefix: String)
        /// The whole line is replaced by this text, literally (no `${}` expansion: shell-style
        /// config files use `${VAR}` themselves).
        case replace(String)
        case delete
    }

    /// What to do when the file is absent or no line matches.
    public enum IfMissing: String, Sendable, CaseIterable {
        /// The action fails (the playbook's assumption about the host is wrong).
        case fail
        /// The action is skipped and says so (nothing to change).
        case skip
    }

    /// An absolute host path under `/etc`.
    public var path: String
    /// Applied to each line on its own.
    public var match: CompiledPattern
    public var edit: Edit
    public var ifMissing: IfMissing
    /// Keep a copy of the file before the edit (default true).
    public var backup: Bool

    public init(path: String, match: CompiledPattern, edit: Edit, ifMissing: IfMissing = .fail, backup: Bool = true) {
        self.path = path
        self.match = match
        self.edit = edit
        self.ifMissing = ifMissing
        self.backup = backup
    }

    public static func parse(_ node: YAMLNode, scope: inout ParseScope) -> FileEditAction? {
        guard let reader = MappingReader(node, "'file_edit'", scope: &scope) else { return nil }
        var path: String?
        if let pathNode = reader.required("path", scope: &scope), let normalized = scope.normalizedHostPath(pathNode, "file_edit path") {
            if normalized.hasPrefix("/etc/") {
                path = normalized
            } else {
                scope.error(pathNode, "file_edit path must be a file under /etc (configuration), found '\(normalized)'")
            }
        }
        let match = reader.required("match", scope: &scope).flatMap { scope.regex($0, "file_edit match") }

        var edit: Edit?
        let prefixNode = reader.optional("comment_prefix")
        if let (key, value) = reader.onlyOneOf(["comment_out", "replace", "delete"], in: "'file_edit'", scope: &scope) {
            switch key {
            case "replace":
                if let text = scope.string(value, "file_edit replace") {
                    if text.contains("\n") {
                        scope.error(value, "file_edit replace must be a single line (it replaces one line at a time)")
                    } else {
                        edit = .replace(text)
                    }
                }
            default:
                if let flag = scope.bool(value, "file_edit \(key)") {
                    if flag {
                        edit = key == "delete" ? .delete : .commentOut(prefix: "#")
                    } else {
                        scope.error(value, "file_edit \(key): false does nothing; choose one of comment_out: true, replace: 'text', delete: true")
                    }
                }
            }
        }
        if let prefixNode, let keyNode = reader.keyNode("comment_prefix") {
            if let prefix = scope.nonEmptyString(prefixNode, "file_edit comment_prefix") {
                if prefix.contains("\n") {
                    scope.error(prefixNode, "file_edit comment_prefix must be a single line")
                } else if case .commentOut = edit {
                    edit = .commentOut(prefix: prefix)
                } else if edit != nil {
                    scope.error(keyNode, "file_edit comment_prefix only applies with comment_out: true")
                }
            }
        }

        var ifMissing = IfMissing.fail
        if let node = reader.optional("if_missing"), let text = scope.string(node, "file_edit if_missing") {
            if let parsed = IfMissing(rawValue: text) { ifMissing = parsed } else {
                scope.error(node, "file_edit if_missing must be one of: fail, skip; found '\(text)'")
            }
        }
        let backup = reader.optional("backup").flatMap { scope.bool($0, "file_edit backup") } ?? true
        reader.finish(scope: &scope)
        guard let path, let match, let edit else { return nil }
        return FileEditAction(path: path, match: match, edit: edit, ifMissing: ifMissing, backup: backup)
    }

    public var summaryLine: String {
        let verb = switch edit {
        case .commentOut(let prefix): "comment out (with '\(prefix)')"
        case .replace(let text): "replace with '\(text)'"
        case .delete: "delete"
        }
        return "in \(path), \(verb) lines matching /\(match.source)/"
            + (ifMissing == .skip ? ", skipped when nothing matches" : "")
            + (backup ? "" : ", without a backup")
    }

    public static let examples = KindExamples(
        valid: [
            """
            name: no-conntrack-at-boot
            explain: Keep iptables from loading the conntrack helpers at boot.
            risk: safe
            file_edit:
              path: /etc/sysconfig/iptables-config
              match: '^IPTABLES_MODULES=.*ip_conntrack'
              comment_out: true
              if_missing: skip
            """,
            """
            name: empty-modules
            explain: Load no iptables modules at boot.
            risk: disruptive
            file_edit:
              path: /etc/sysconfig/iptables-config
              match: '^IPTABLES_MODULES='
              replace: 'IPTABLES_MODULES=""'
              backup: true
            """,
            """
            name: drop-old-setting
            explain: Remove a stale sysctl line that sets the table back at boot.
            risk: safe
            file_edit:
              path: /etc/sysctl.conf
              match: '^\\s*net\\.ipv4\\.netfilter\\.ip_conntrack_max\\s*='
              delete: true
            """,
            """
            name: semicolon-comment
            explain: An ini file comments with ';'.
            risk: safe
            file_edit: {path: /etc/php/php.ini, match: '^extension=conntrack', comment_out: true, comment_prefix: ';'}
            """,
        ],
        invalid: [
            .init("""
                name: outside-etc
                explain: x
                risk: safe
                file_edit:
                  path: /var/lib/app/config
                  match: x
                  delete: true
                """, at: 5, 9, "file_edit path must be a file under /etc"),
            .init("""
                name: climbing
                explain: x
                risk: safe
                file_edit:
                  path: /etc/../root/.ssh/authorized_keys
                  match: x
                  delete: true
                """, at: 5, 9, "'..' is not allowed"),
            .init("""
                name: bad-regex
                explain: x
                risk: safe
                file_edit:
                  path: /etc/sysctl.conf
                  match: '^(net'
                  delete: true
                """, at: 6, 10, "file_edit match is not a valid regular expression"),
            .init("""
                name: two-edits
                explain: x
                risk: safe
                file_edit:
                  path: /etc/sysctl.conf
                  match: x
                  comment_out: true
                  delete: true
                """, at: 8, 3, "takes only one of comment_out, replace, delete; found comment_out and delete"),
            .init("""
                name: no-edit
                explain: x
                risk: safe
                file_edit:
                  path: /etc/sysctl.conf
                  match: x
                  comment_out: false
                """, at: 7, 16, "comment_out: false does nothing"),
            .init("""
                name: prefix-without-comment
                explain: x
                risk: safe
                file_edit:
                  path: /etc/sysctl.conf
                  match: x
                  delete: true
                  comment_prefix: ';'
                """, at: 8, 3, "comment_prefix only applies with comment_out: true"),
            .init("""
                name: maybe
                explain: x
                risk: safe
                file_edit:
                  path: /etc/sysctl.conf
                  match: x
                  delete: true
                  if_missing: ignore
                """, at: 8, 15, "if_missing must be one of: fail, skip"),
        ]
    )
}
