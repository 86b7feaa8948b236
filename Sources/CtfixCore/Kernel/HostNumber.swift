import Foundation

/// Numbers as the kernel prints them in procfs and sysfs: decimal integers, sometimes a
/// decimal fraction, optionally signed. Stricter than `Double(_:)`, which would happily read
/// `nan`, `inf` or `0x10` from a corrupt or unexpected file and let a threshold compare
/// against nonsense.
public enum HostNumber {
    /// The value of `text` (surrounding whitespace ignored), or nil when it is not one number.
    public static func parse<S: StringProtocol>(_ text: S) -> Double? {
        let trimmed = text.trimmed(.whitespacesAndNewlines)
        var scalars = Substring(trimmed).unicodeScalars[...]
        if scalars.first == "-" || scalars.first == "+" { scalars = scalars.dropFirst() }
        var digits = 0, dots = 0
        for scalar in scalars {
            switch scalar {
            case "0"..."9": digits += 1
            case ".": dots += 1
            default: return nil
            }
        }
        guard digits > 0, dots <= 1, scalars.first != ".", scalars.last != "." else { return nil }
        return Double(trimmed)
    }

    /// A short, quoted excerpt of unexpected text for an error message.
    public static func excerpt<S: StringProtocol>(_ text: S, limit: Int = 60) -> String {
        let trimmed = text.trimmed(.whitespacesAndNewlines)
        if trimmed.isEmpty { return "nothing (an empty file)" }
        let visible = trimmed.unicodeScalars.map { scalar -> String in
            switch scalar {
            case "\n": "\\n"
            case "\t": "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7f: "?"
            default: String(scalar)
            }
        }.joined()
        return "'" + (visible.count > limit ? String(visible.prefix(limit)) + "…" : visible) + "'"
    }
}
