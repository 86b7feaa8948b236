/// Reads one YAML mapping key by key and, at the end, reports every key nobody asked for.
/// That is how "unknown keys are errors" holds everywhere without each parser listing keys twice.
public final class MappingReader {
    public let node: YAMLNode
    private let what: String
    private var pairs: [YAMLNode.Pair]
    private var consumed: Set<String> = []

    /// Nil (with an error recorded) when `node` is not a mapping.
    public init?(_ node: YAMLNode, _ what: String, scope: inout ParseScope) {
        guard case .mapping(let pairs) = node.value else {
            scope.error(node, "\(what) must be a mapping, found \(node.kindDescription)")
            return nil
        }
        self.node = node
        self.what = what
        self.pairs = pairs
        for pair in pairs where pair.key.scalar == nil {
            scope.error(pair.key, "keys in \(what) must be plain strings")
        }
    }

    /// All keys present, in order.
    public var keys: [String] { pairs.compactMap { $0.key.scalar } }

    /// The key's node as written (for positions of key-level errors).
    public func keyNode(_ key: String) -> YAMLNode? {
        pairs.first { $0.key.scalar == key }?.key
    }

    /// The value of an optional key.
    public func optional(_ key: String) -> YAMLNode? {
        consumed.insert(key)
        return pairs.first { $0.key.scalar == key }?.value
    }

    /// The value of a required key; a missing one is reported at the mapping.
    public func required(_ key: String, scope: inout ParseScope) -> YAMLNode? {
        guard let value = optional(key) else {
            scope.error(node, "\(what) is missing required key '\(key)'")
            return nil
        }
        return value
    }

    /// Marks a key as understood without reading it (a parser that dispatches on it).
    public func accept(_ key: String) { consumed.insert(key) }

    /// Reports every key that was never read, with a suggestion when one is close.
    public func finish(scope: inout ParseScope) {
        for pair in pairs {
            guard let key = pair.key.scalar, !consumed.contains(key) else { continue }
            scope.error(pair.key, "unknown key '\(key)' in \(what)" + suggestion(key, consumed))
        }
    }
}
