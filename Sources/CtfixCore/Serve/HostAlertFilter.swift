import Foundation

/// Decides whether an alert is about this host. Alertmanager routes a fleet's alerts; a
/// receiver on one host must act only on its own: the first present label of `labels`
/// (default `instance`, then `nodename`) must name this host. Whole names only, ignoring case
/// and a trailing dot: `web1` matches `web1`, `web1.example.com` matches `web1.example.com`,
/// but never each other (a short name says nothing about the domain: `web1.evil.tld` is not
/// `web1`). A URL scheme, user info, `:port` and path are stripped first. An IP address matches
/// when it is one of the host's own addresses (`addresses`, from getifaddrs).
public struct HostAlertFilter: Sendable, Equatable {
    public var labels: [String] = ["instance", "nodename"]
    /// Overrides the host's own name (from the root's kernel hostname) when set.
    public var hostName: String?
    /// Further whole names of this host (`host.aliases`, e.g. its FQDN when the kernel hostname is short).
    public var aliases: [String] = []

    public init(labels: [String] = ["instance", "nodename"], hostName: String? = nil, aliases: [String] = []) {
        self.labels = labels
        self.hostName = hostName
        self.aliases = aliases
    }

    /// Nil when the alert is for `host` (or one of `addresses`); otherwise why not, for the audit log.
    public func rejection(of alertLabels: [String: String], host: String, addresses: [String] = []) -> String? {
        let me = hostName ?? host
        guard let (label, value) = labels.lazy.compactMap({ name in alertLabels[name].map { (name, $0) } }).first else {
            return "the alert has none of the host labels \(labels.joined(separator: ", "))"
        }
        if ([me] + aliases).contains(where: { Self.sameHost(value, $0) }) { return nil }
        if let address = Self.address(Self.normalized(value)), addresses.compactMap(Self.address).contains(address) { return nil }
        return "\(label)=\"\(TerminalText.escape(String(value.prefix(128))))\" is not this host (\(TerminalText.escape(me)))"
    }

    /// True when a label value names the host `name`: whole names, case-insensitive.
    public static func sameHost(_ value: String, _ name: String) -> Bool {
        let a = normalized(value), b = normalized(name)
        guard !a.isEmpty, !b.isEmpty else { return false }
        if let x = address(a), let y = address(b) { return x == y }
        return a == b
    }

    /// Lowercased host part of a label value: without a URL scheme, user info, path, `:port`
    /// (also `[v6]:port`) or trailing dot. An IPv6 literal without brackets is kept whole.
    static func normalized(_ value: String) -> String {
        var text = Substring(value.lowercased())
        if let scheme = text.range(of: "://") { text = text[scheme.upperBound...] }
        if let slash = text.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) { text = text[..<slash] }
        if let at = text.lastIndex(of: "@") { text = text[text.index(after: at)...] }
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            return String(text[text.index(after: text.startIndex)..<close])
        }
        if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") { text = text[..<colon] }
        while text.hasSuffix(".") { text = text.dropLast() }
        return String(text)
    }

    /// The canonical binary form of an IPv4 or IPv6 literal, nil for a name.
    static func address(_ text: String) -> [UInt8]? {
        var v4 = in_addr(), v6 = in6_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }

    /// This machine's interface addresses (getifaddrs), as text; empty when they cannot be read.
    public static func localAddresses() -> [String] {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return [] }
        defer { freeifaddrs(list) }
        var result: [String] = []
        var node: UnsafeMutablePointer<ifaddrs>? = first
        while let entry = node {
            defer { node = entry.pointee.ifa_next }
            guard let sa = entry.pointee.ifa_addr else { continue }
            let family = Int32(sa.pointee.sa_family)
            var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            if family == AF_INET {
                var a = sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
                if inet_ntop(AF_INET, &a, &buffer, socklen_t(buffer.count)) != nil { result.append(String(cString: buffer)) }
            } else if family == AF_INET6 {
                var a = sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                if inet_ntop(AF_INET6, &a, &buffer, socklen_t(buffer.count)) != nil { result.append(String(cString: buffer)) }
            }
        }
        return result
    }
}
