/// A sysctl key as playbooks write it (`net.netfilter.nf_conntrack_max`, or the slash form
/// `net/netfilter/nf_conntrack_max`) and the `/proc/sys` file it names.
///
/// Keys are checked before they become paths: a key is a playbook author's text, and
/// `sysctl: ../../etc/shadow` must be an error at its line, not a read outside `/proc/sys`.
public struct SysctlKey: Sendable, Hashable, CustomStringConvertible {
    /// The key as written.
    public let text: String
    /// The path components under `/proc/sys`.
    public let components: [String]

    /// Why a key was refused.
    public struct Invalid: Error, Sendable, Equatable, CustomStringConvertible {
        public var key: String
        public var reason: String
        public var description: String { "'\(key)' is not a valid sysctl key: \(reason)" }
    }

    /// Parses and checks a key. The dotted form maps each `.` to `/`; a key containing `/` is
    /// taken as the slash form and its dots are kept (as `sysctl(8)` does, for interface
    /// names such as `eth0.100`).
    public init(_ text: String) throws(Invalid) {
        func fail(_ reason: String) -> Invalid { Invalid(key: text, reason: reason) }
        guard !text.isEmpty else { throw fail("it is empty") }
        if text.hasPrefix("/") {
            throw fail("write the key (net.netfilter.nf_conntrack_max), not an absolute path; use 'file:' for paths")
        }
        if let bad = text.unicodeScalars.first(where: { !Self.allowed($0) }) {
            throw fail("character '\(bad)' is not allowed (only letters, digits, '_', '-', '.' and '/')")
        }
        let slashForm = text.containsASCII("/") // every scalar is ASCII by now
        let parts = text.split(separator: slashForm ? "/" : ".", omittingEmptySubsequences: false).map(String.init)
        if parts.contains("..") || (slashForm && parts.contains(".")) {
            throw fail("'..' and '.' components are not allowed")
        }
        if parts.contains(where: \.isEmpty) {
            throw fail("it has an empty component (leading, trailing or doubled '\(slashForm ? "/" : ".")')")
        }
        if parts.count < 2 {
            throw fail("it needs at least two components (every sysctl lives in a directory such as net., vm. or kernel.)")
        }
        self.text = text
        self.components = parts
    }

    private static func allowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "_", "-", ".", "/": true
        default: false
        }
    }

    /// The host path: `/proc/sys/net/netfilter/nf_conntrack_max`.
    public var path: String { "/proc/sys/" + components.joined(separator: "/") }

    /// The dotted name, whatever form was written (for messages and readings).
    public var dottedName: String { components.joined(separator: ".") }

    /// The last component (`nf_conntrack_max`), for compact details.
    public var shortName: String { components.last ?? text }

    public var description: String { text }

    /// The display unit a key's value is in, guessed from its name.
    public var unit: String {
        let name = shortName
        if name.containsLiteral("timeout") { return "seconds" }
        if name.hasSuffix("_count") || name.hasSuffix("_max") || name.hasSuffix("_buckets") { return "entries" }
        return ""
    }
}
