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
