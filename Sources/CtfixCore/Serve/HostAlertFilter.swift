/// Decides whether an alert is about this host. Alertmanager routes a fleet's alerts; a
/// receiver on one host must act only on its own: the first present label of `labels`
/// (default `instance`, then `nodename`) is compared with the host's names, ignoring case,
/// a `:port` suffix and the domain (`web1:9100`, `web1.example.com` both mean `web1`).
public struct HostAlertFilter: Sendable, Equatable {
    public var labels: [String] = ["instance", "nodename"]
    /// Overrides the host's own name (from the root's kernel hostname) when set.
    public var hostName: String?

    public init(labels: [String] = ["instance", "nodename"], hostName: String? = nil) {
        self.labels = labels
        self.hostName = hostName
    }

    /// Nil when the alert is for `host`; otherwise why not, for the audit log.
    public func rejection(of alertLabels: [String: String], host: String) -> String? {
        let me = hostName ?? host
        guard let (label, value) = labels.lazy.compactMap({ name in alertLabels[name].map { (name, $0) } }).first else {
            return "the alert has none of the host labels \(labels.joined(separator: ", "))"
        }
        return Self.sameHost(value, me) ? nil : "\(label)=\"\(value)\" is not this host (\(me))"
    }

    /// True when a label value names the host `name`.
    public static func sameHost(_ value: String, _ name: String) -> Bool {
        let a = normalized(value), b = normalized(name)
        guard !a.isEmpty, !b.isEmpty else { return false }
        if a == b { return true }
        return shortName(a) == shortName(b) && (!a.contains(".") || !b.contains("."))
    }

    /// Lowercased, without a `:port` (also `[v6]:port`) or URL scheme.
    static func normalized(_ value: String) -> String {
        var text = Substring(value.lowercased())
        if let scheme = text.range(of: "://") { text = text[scheme.upperBound...] }
        if let slash = text.firstIndex(of: "/") { text = text[..<slash] }
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            return String(text[text.index(after: text.startIndex)..<close])
        }
        if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") { text = text[..<colon] }
        return String(text)
    }

    static func shortName(_ name: String) -> String {
        String(name.split(separator: ".", maxSplits: 1).first ?? Substring(name))
    }
}
