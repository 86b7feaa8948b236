import Foundation

/// One label condition of a route: `match: {name: value}` (equality) or
/// `match_re: {name: regex}` (the whole value must match, as in Alertmanager).
/// A missing label is the empty string, as in Alertmanager.
public struct LabelMatcher: Sendable, CustomStringConvertible {
    /// `regex` holds the pattern anchored as `^(?:source)$`; `source` is what the config said.
    public enum Kind: Sendable { case equal(String), regex(CompiledPattern, source: String) }

    /// A whole-value regex matcher; throws when the pattern does not compile.
    public static func regex(_ label: String, _ source: String) throws(CompiledPattern.CompileError) -> LabelMatcher {
        if !source.isEmpty { _ = try CompiledPattern(source) }
        return LabelMatcher(label: label, kind: .regex(try CompiledPattern("^(?:" + source + ")$"), source: source))
    }

    public var label: String
    public var kind: Kind

    public init(label: String, kind: Kind) {
        self.label = label
        self.kind = kind
    }

    public func matches(_ labels: [String: String]) -> Bool {
        let value = labels[label] ?? ""
        switch kind {
        case .equal(let expected): return value == expected
        case .regex(let pattern, _): return pattern.matches(value)
        }
    }

    public var description: String {
        switch kind {
        case .equal(let value): "\(label)=\"\(value)\""
        case .regex(_, let source): "\(label)=~\"\(source)\""
        }
    }
}
