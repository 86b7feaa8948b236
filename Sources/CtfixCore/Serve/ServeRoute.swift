import Foundation

/// `dry_run` (plan and audit only) or `unattended` (`--yes`). Written `dry_run` in the audit log
/// and the queue (snake_case, like every enum value); the config may say `dry-run` or `dry_run`,
/// and a job queued by an older version (`dry-run`) still decodes.
public enum ServeMode: String, Sendable, Codable {
    case dryRun = "dry_run"
    case unattended

    /// A config's or an older queue file's spelling: `dry-run` is accepted for `dry_run`.
    public init?(spelling: String) {
        self.init(rawValue: spelling == "dry-run" ? "dry_run" : spelling)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let mode = ServeMode(spelling: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown mode '\(text)'"))
        }
        self = mode
    }
}

/// One route: label matchers → a playbook and how to run it.
public struct ServeRoute: Sendable {
    /// For messages and the audit log (default `route N`).
    public var name: String
    public var matchers: [LabelMatcher]
    /// The playbook file (resolved at load time) and its name (the cooldown key).
    public var playbookPath: String
    public var playbookName: String
    public var cooldown: Duration?
    public var mode: ServeMode
    public var allowDestructive: Bool
    /// Playbook parameter → template over the alert's labels/annotations.
    public var parameters: [String: AlertTemplate]
    /// The playbook's declarations of those parameters (as loaded at start-up), for the intake check.
    public var declarations: [String: Parameter]

    public init(name: String, matchers: [LabelMatcher], playbookPath: String, playbookName: String, cooldown: Duration?,
                mode: ServeMode, allowDestructive: Bool = false, parameters: [String: AlertTemplate] = [:], declarations: [String: Parameter] = [:]) {
        self.name = name
        self.matchers = matchers
        self.playbookPath = playbookPath
        self.playbookName = playbookName
        self.cooldown = cooldown
        self.mode = mode
        self.allowDestructive = allowDestructive
        self.parameters = parameters
        self.declarations = declarations
    }

    public func matches(_ labels: [String: String]) -> Bool {
        matchers.allSatisfy { $0.matches(labels) }
    }
}
