import Foundation

/// A share of a whole (a fill level, a ratio threshold, a `share` parameter) as people write
/// it: `90%` or `0.9`, between 0 and 1. A bare number above 1 is refused with the suggestion,
/// never read as a percentage: `above: 80` meant "80 %" but compared count / max with 80 (it
/// never fired, and `check` reported perfdata `;75;8000`).
public enum ShareText {
    /// `90%`, `0.9`, `1`, `100%`, `0`, `.5`, `5e-1`: a plain decimal, optionally followed by `%`.
    static let pattern = #"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?[ ]*%?$"#

    /// The share `text` names (`0.9` for `90%`), or why it is not one (a sentence fragment
    /// that reads after "parameter 'x' expects a share (90% or 0.9): ").
    public static func parse(_ text: String) -> Result<Double, ShareError> {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.utf8.count <= 64, CompiledPattern.ownPatternMatches(pattern, trimmed) else {
            return .failure(ShareError(message: "'\(Parameter.shown(text))' is not a share; write it as 90% or 0.9"))
        }
        let isPercent = trimmed.hasSuffix("%")
        let digits = isPercent ? String(trimmed.dropLast()).trimmingCharacters(in: .whitespaces) : trimmed
        guard let number = Double(digits), number.isFinite else {
            return .failure(ShareError(message: "'\(Parameter.shown(text))' is not a share; write it as 90% or 0.9"))
        }
        let value = isPercent ? number / 100 : number
        if let problem = problem(value, written: trimmed, isPercent: isPercent) { return .failure(problem) }
        return .success(value)
    }

    /// Why `value` (written as `written`) is not a share, or nil when it is one.
    public static func problem(_ value: Double, written: String, isPercent: Bool) -> ShareError? {
        if value < 0 { return ShareError(message: "\(written) is negative; a share cannot be negative (it is between 0% and 100%)") }
        if value > 1 {
            if isPercent {
                return ShareError(message: "\(written) is above 100%; a share is between 0% and 100% (0 and 1)")
            }
            return ShareError(message: "\(written) is not a share; write \(written)% or \(formatNumber(value / 100))")
        }
        return nil
    }
}

/// Text that is not a share, and why.
public struct ShareError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
