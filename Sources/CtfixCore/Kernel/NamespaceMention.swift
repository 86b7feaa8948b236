import Foundation

extension NetNamespace {
    /// Where this namespace's `/proc/net` files are read when ctfix runs in `own`: `/proc/net`
    /// (ctfix's own namespace) for its own, `/proc/PID/net` for any other with a process,
    /// including the initial one when ctfix runs inside a container or `ip netns exec`.
    public func procNet(seenFrom own: UInt64?) -> String {
        if id == own || (own == nil && isInitial) || processCount == 0 { return "/proc/net" }
        return "/proc/\(pid)/net"
    }
}

/// The network namespaces kernel log lines name. Since 6.18 a full table in a non-initial
/// namespace logs "nf_conntrack: nf_conntrack: table full in netns 4026532177, dropping
/// packet"; the number is the namespace's nsfs inode, the id `NetNamespaces` finds under
/// `/proc/*/ns/net`.
public enum NamespaceMention {
    /// The ids named by "in netns N" in the lines, each once, in order of first mention.
    /// Numbers longer than 20 digits (not an inode) are ignored. The phrase is found byte for
    /// byte; where Foundation's search would have refused it (a combining mark right after the
    /// space), the digits are read as Characters, and one starting with a mark is no digit: the
    /// ids are the same (LiteralTextTests).
    public static func ids(in lines: [String]) -> [UInt64] {
        var found: [UInt64] = []
        for line in lines {
            var rest = Substring(line)
            while let range = rest.literalRange(of: "in netns ") {
                rest = rest[range.upperBound...]
                let digits = rest.prefix(while: { $0.isASCII && $0.isNumber })
                if (1...20).contains(digits.count), let id = UInt64(digits), !found.contains(id) { found.append(id) }
            }
        }
        return found
    }

    /// "names netns 4026532177 (pid 4242 nginx)" or "names netns 4026532177 (no process is in
    /// it now: gone, or not visible from here)".
    public static func describe(_ ids: [UInt64], among namespaces: [NetNamespace]) -> String {
        let parts = ids.map { id -> String in
            if let known = namespaces.first(where: { $0.id == id }) { return known.displayName }
            return "netns \(id) (no process is in it now: gone, or not visible from here)"
        }
        return "names " + parts.joined(separator: ", ")
    }
}
