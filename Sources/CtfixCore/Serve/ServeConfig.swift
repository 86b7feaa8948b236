import Foundation

/// `ctfix serve`'s routing configuration (YAML, see docs/serve.md): which alerts run which
/// playbook, how, and who may call. Validated like a playbook (`ServeConfigLoader`), so a typo
/// is a `file:line:col` error at start-up rather than an alert silently ignored at 3 a.m.
public struct ServeConfig: Sendable {
    /// The POST path Alertmanager calls.
    public var path: String = "/alerts"
    /// Bodies larger than this are answered 413.
    public var maxBodyBytes: Int = 1 << 20
    /// Nil only when the config has no `auth` (then `--insecure-no-auth` is required).
    public var auth: WebhookCredentials?
    public var host = HostAlertFilter()
    public var budget = AttemptBudget()
    public var routes: [ServeRoute] = []

    public init() {}
}

/// Who may call the webhook: the secret is read from a file at start-up (never in the config).
public enum WebhookCredentials: Sendable, Equatable {
    case bearer(token: String)
    case basic(username: String, password: String)

    /// The `WWW-Authenticate` challenge for a 401.
    public var challenge: String {
        switch self {
        case .bearer: "Bearer realm=\"ctfix\""
        case .basic: "Basic realm=\"ctfix\", charset=\"UTF-8\""
        }
    }

    /// True when an `Authorization` header value carries these credentials. Every comparison is
    /// constant-time in the secret so response timing does not reveal how much of it matched.
    public func accepts(authorization header: String?) -> Bool {
        guard let header else { return false }
        let parts = header.split(separator: " ", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return false }
        let scheme = parts[0].lowercased(), value = parts[1].trimmingCharacters(in: .whitespaces)
        switch self {
        case .bearer(let token):
            return scheme == "bearer" && ConstantTime.equals(value, token)
        case .basic(let username, let password):
            guard scheme == "basic", let data = Data(base64Encoded: value),
                  let text = String(data: data, encoding: .utf8), let colon = text.firstIndex(of: ":") else { return false }
            let userOK = ConstantTime.equals(String(text[..<colon]), username)
            let passwordOK = ConstantTime.equals(String(text[text.index(after: colon)...]), password)
            return userOK && passwordOK
        }
    }
}

/// How many runs one playbook may start from alerts within a window (on disk, survives restarts),
/// so a flapping alert cannot make ctfix hammer a host.
public struct AttemptBudget: Sendable, Equatable {
    public var attempts: Int = 3
    public var per: Duration = .seconds(3600)
    public init(attempts: Int = 3, per: Duration = .seconds(3600)) {
        self.attempts = attempts
        self.per = per
    }
}

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

    public init(name: String, matchers: [LabelMatcher], playbookPath: String, playbookName: String, cooldown: Duration?,
                mode: ServeMode, allowDestructive: Bool = false, parameters: [String: AlertTemplate] = [:]) {
        self.name = name
        self.matchers = matchers
        self.playbookPath = playbookPath
        self.playbookName = playbookName
        self.cooldown = cooldown
        self.mode = mode
        self.allowDestructive = allowDestructive
        self.parameters = parameters
    }

    public func matches(_ labels: [String: String]) -> Bool {
        matchers.allSatisfy { $0.matches(labels) }
    }
}
