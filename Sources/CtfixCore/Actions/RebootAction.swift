/// Reboots the host — after the boot configuration was changed (conntrack kept from loading),
/// or when nothing else clears the condition. Destructive. Two methods: `systemctl` reboots now
/// (after `delay`); `kured` writes the sentinel file that the Kubernetes reboot daemon watches,
/// so the node is drained and rebooted in its maintenance window, one node at a time.
/// The executor reboots at most once per boot (it records `/proc/sys/kernel/random/boot_id`).
public struct RebootAction: ActionKind {
    public static let keyword = "reboot"
    public static let summary = "Reboot the host, at most once per boot: now via systemctl (after a delay), or through kured's sentinel file on Kubernetes nodes."
    public static let minimumRisk = RiskClass.destructive

    public enum Method: String, Sendable, CaseIterable {
        /// `systemctl reboot` after `delay` (logged-in users are warned).
        case systemctl
        /// Create `sentinel` and let kured drain and reboot the node.
        case kured
    }

    /// kured's default `--reboot-sentinel`.
    public static let defaultSentinel = "/var/run/reboot-required"
    /// `shutdown -r` waits one minute by default, so users see the warning; so do we.
    public static let defaultDelay = Duration.seconds(60)
    public static let maximumDelay = Duration.seconds(3600)

    public var method: Method
    /// The sentinel file kured watches; only for `kured`.
    public var sentinel: String?
    /// Wait before rebooting; only for `systemctl`.
    public var delay: Duration?

    public init(method: Method, sentinel: String? = nil, delay: Duration? = nil) {
        self.method = method
        self.sentinel = method == .kured ? (sentinel ?? Self.defaultSentinel) : nil
        self.delay = method == .systemctl ? (delay ?? Self.defaultDelay) : nil
    }

    public static func parse(_ node: YAMLNode, scope: inout ParseScope) -> RebootAction? {
        guard let reader = MappingReader(node, "'reboot'", scope: &scope) else { return nil }
        var method: Method?
        if let methodNode = reader.required("method", scope: &scope), let text = scope.string(methodNode, "reboot method") {
            method = Method(rawValue: text)
            if method == nil {
                scope.error(methodNode, "reboot method must be one of: systemctl, kured; found '\(text)'"
                            + suggestion(text, Method.allCases.map(\.rawValue)))
            }
        }
        var ok = true
        var sentinel: String?
        if let sentinelNode = reader.optional("sentinel") {
            if let method, method != .kured, let keyNode = reader.keyNode("sentinel") {
                scope.error(keyNode, "reboot sentinel only applies to method kured (systemctl reboots directly)")
                ok = false
            } else if let path = scope.normalizedHostPath(sentinelNode, "reboot sentinel") {
                if path.hasPrefix("/run/") || path.hasPrefix("/var/run/") {
                    sentinel = path
                } else {
                    scope.error(sentinelNode, "reboot sentinel must be under /run or /var/run (kured's default is \(defaultSentinel)), found '\(path)'")
                    ok = false
                }
            } else {
                ok = false
            }
        }
        var delay: Duration?
        if let delayNode = reader.optional("delay") {
            if let method, method != .systemctl, let keyNode = reader.keyNode("delay") {
                scope.error(keyNode, "reboot delay only applies to method systemctl (kured reboots in its own window)")
                ok = false
            } else if let value = scope.duration(delayNode, "reboot delay", allowZero: true) {
                if value > maximumDelay {
                    scope.error(delayNode, "reboot delay must be at most \(DurationText.format(maximumDelay)), found \(DurationText.format(value))")
                    ok = false
                } else {
                    delay = value
                }
            } else {
                ok = false
            }
        }
        reader.finish(scope: &scope)
        guard let method, ok else { return nil }
        return RebootAction(method: method, sentinel: sentinel, delay: delay)
    }

    public var summaryLine: String {
        switch method {
        case .systemctl:
            let wait = delay.map { $0 == .zero ? "now" : "in \(DurationText.format($0))" } ?? "now"
            return "reboot the host \(wait) (systemctl reboot; at most once per boot)"
        case .kured:
            return "request a reboot from kured (create \(sentinel ?? Self.defaultSentinel); at most once per boot)"
        }
    }

    public static let examples = KindExamples(
        valid: [
            """
            name: reboot
            explain: The module is kept from loading at boot; a reboot applies it.
            risk: destructive
            reboot:
              method: systemctl
              delay: 1m
            """,
            """
            name: reboot-via-kured
            explain: Let kured drain the node and reboot it in the maintenance window.
            risk: destructive
            allow_unattended: true
            reboot:
              method: kured
              sentinel: /var/run/reboot-required
            """,
            """
            name: reboot-now
            explain: Nothing else clears the condition.
            risk: destructive
            reboot: {method: systemctl, delay: 0s}
            """,
        ],
        invalid: [
            .init("""
                name: casual
                explain: x
                risk: safe
                reboot:
                  method: systemctl
                """, at: 3, 7, "a reboot action is at least 'destructive'; declared 'safe'"),
            .init("""
                name: sentinel-without-kured
                explain: x
                risk: destructive
                reboot:
                  method: systemctl
                  sentinel: /var/run/reboot-required
                """, at: 6, 3, "reboot sentinel only applies to method kured"),
            .init("""
                name: kexec
                explain: x
                risk: destructive
                reboot:
                  method: kexec
                """, at: 5, 11, "reboot method must be one of: systemctl, kured; found 'kexec'"),
            .init("""
                name: sentinel-in-etc
                explain: x
                risk: destructive
                reboot:
                  method: kured
                  sentinel: /etc/reboot-required
                """, at: 6, 13, "reboot sentinel must be under /run or /var/run"),
            .init("""
                name: much-later
                explain: x
                risk: destructive
                reboot:
                  method: systemctl
                  delay: 1d
                """, at: 6, 10, "reboot delay must be at most 1h, found 1d"),
            .init("""
                name: implicit
                explain: x
                risk: destructive
                reboot: {}
                """, at: 4, 9, "'reboot' is missing required key 'method'"),
        ]
    )
}
