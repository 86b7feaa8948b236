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
    /// Open connections at most (`limits.max_connections`); further ones wait in the kernel's
    /// backlog until one closes. Far below the unit's `LimitNOFILE` (docs/serve.md).
    public var maxConnections = 256
    /// A connection that sends no complete request head for this long (idle keep-alive, a
    /// header trickled byte by byte) is closed (`limits.idle_timeout`).
    public var idleTimeout: Duration = .seconds(10)
    /// A request body not fully received within this long is answered 408 (`limits.body_timeout`).
    public var bodyTimeout: Duration = .seconds(10)
    /// What one body may carry (alerts, labels, lengths).
    public var payloadLimits = PayloadLimits()

    public init() {}
}
