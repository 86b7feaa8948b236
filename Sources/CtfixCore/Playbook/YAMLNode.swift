import Yams

/// A YAML document as a plain, Sendable tree where every node knows its line and column.
/// Yams' `Node` is converted once, right after parsing, so no later step can lose a position.
public struct YAMLNode: Sendable {
    public enum Value: Sendable {
        /// `quoted` is true for '…' and "…" scalars, which are never numbers or booleans.
        case scalar(String, quoted: Bool)
        case mapping([Pair])
        case sequence([YAMLNode])
    }

    public struct Pair: Sendable {
        public var key: YAMLNode
        public var value: YAMLNode
    }

    public var value: Value
    public var line: Int
    public var column: Int

    public init(_ value: Value, line: Int, column: Int) {
        self.value = value
        self.line = line
        self.column = column
    }

    /// The scalar text, or nil for mappings and sequences.
    public var scalar: String? {
        if case .scalar(let text, _) = value { return text }
        return nil
    }

    /// True for an unquoted `~`, `null` or empty scalar.
    public var isNull: Bool {
        if case .scalar(let text, let quoted) = value, !quoted {
            return text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL"
        }
        return false
    }

    /// A word for messages: "a mapping", "a list", "the number 3".
    public var kindDescription: String {
        switch value {
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .scalar(let text, _): isNull ? "null" : "'\(text.count > 40 ? String(text.prefix(40)) + "…" : text)'"
        }
    }
}
