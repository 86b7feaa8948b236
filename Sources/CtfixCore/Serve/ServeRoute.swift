import Foundation

/// `dry-run` (plan and audit only) or `unattended` (`--yes`).
public enum ServeMode: String, Sendable, Codable {
    case dryRun = "dry-run"
    case unattended
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
