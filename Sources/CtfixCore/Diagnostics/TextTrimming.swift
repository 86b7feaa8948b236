/// What `trimmed(_:)` removes from both ends: exactly the scalars of Foundation's
/// `CharacterSet` of the same name (CoreFoundation's fixed tables, which still count U+200B
/// ZERO WIDTH SPACE as white space).
///
/// Why not `trimmingCharacters(in:)`: its first use builds Foundation's character sets through
/// CoreFoundation, and every parser (procfs, sysctl.d, slabinfo, playbooks) trims, so a
/// dry-run paid for it at start-up (docs/benchmarks.md). A test compares every Unicode scalar
/// with Foundation's sets, and generated strings with `trimmingCharacters(in:)`.
public enum TrimSet: Sendable {
    /// Tab, space, U+00A0, U+1680, U+2000–U+200B, U+202F, U+205F, U+3000.
    case whitespaces
    /// U+000A–U+000D, U+0085, U+2028, U+2029.
    case newlines
    /// Both.
    case whitespacesAndNewlines

    public func contains(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        let isSpace = value == 0x20 || value == 0x09 || value == 0xA0 || value == 0x1680 || (0x2000...0x200B).contains(value)
            || value == 0x202F || value == 0x205F || value == 0x3000
        let isNewline = (0x0A...0x0D).contains(value) || value == 0x85 || value == 0x2028 || value == 0x2029
        switch self {
        case .whitespaces: return isSpace
        case .newlines: return isNewline
        case .whitespacesAndNewlines: return isSpace || isNewline
        }
    }
}

extension StringProtocol {
    /// The text without the scalars of `set` at either end (what
    /// `trimmingCharacters(in: .whitespaces)` and its siblings return).
    public func trimmed(_ set: TrimSet) -> String {
        let scalars = unicodeScalars
        var start = scalars.startIndex, end = scalars.endIndex
        while start < end, set.contains(scalars[start]) { start = scalars.index(after: start) }
        while end > start {
            let before = scalars.index(before: end)
            guard set.contains(scalars[before]) else { break }
            end = before
        }
        var result = String.UnicodeScalarView()
        result.append(contentsOf: scalars[start..<end])
        return String(result)
    }
}
