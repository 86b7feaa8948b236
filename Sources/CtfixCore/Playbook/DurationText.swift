/// Durations as people write them in playbooks: `500ms`, `30s`, `15m`, `2h`, `1d`, `1h30m`.
public enum DurationText {
    /// Why a text is not a duration: malformed, or beyond `ParseLimits.maximumDuration`.
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        /// True when the text is a duration, only beyond the limits (not merely malformed).
        public var beyondLimit = false
        public var description: String { message }
    }

    /// The duration, or nil for any text `checked` refuses.
    public static func parse(_ text: String) -> Duration? {
        try? checked(text)
    }

    /// Parses a duration within `ParseLimits` (at most `maximumDurationLength` characters and
    /// `maximumDuration` in total), in whole milliseconds. Never traps: every component is
    /// checked before it is converted.
    public static func checked(_ text: String) throws(ParseError) -> Duration {
        let malformed = ParseError(message: "not a duration such as 30s, 15m, 2h or 1d")
        guard text.count <= ParseLimits.maximumDurationLength else {
            throw ParseError(message: "a duration is at most \(ParseLimits.maximumDurationLength) characters", beyondLimit: true)
        }
        var rest = Substring(text.trimmed(.whitespaces))
        guard !rest.isEmpty else { throw malformed }
        let limit = ParseLimits.maximumDuration.seconds * 1000
        var total = 0.0
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !digits.isEmpty, let number = Double(digits), number.isFinite else { throw malformed }
            rest = rest.dropFirst(digits.count)
            let unit = rest.prefix { $0.isLetter }
            rest = rest.dropFirst(unit.count)
            let milliseconds: Double
            switch unit {
            case "ms": milliseconds = number
            case "s": milliseconds = number * 1000
            case "m": milliseconds = number * 60_000
            case "h": milliseconds = number * 3_600_000
            case "d": milliseconds = number * 86_400_000
            default: throw malformed
            }
            total += milliseconds
            guard total.isFinite, total <= limit else {
                throw ParseError(message: "longer than the maximum duration of \(ParseLimits.maximumDurationText)", beyondLimit: true)
            }
        }
        return .milliseconds(Int64(total.rounded()))
    }

    /// The shortest exact spelling: 900 s → "15m".
    public static func format(_ duration: Duration) -> String {
        let ms = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        if ms % 1000 != 0 { return "\(ms)ms" }
        let s = ms / 1000
        for (unit, size) in [("d", Int64(86400)), ("h", 3600), ("m", 60)] where s >= size && s % size == 0 {
            return "\(s / size)\(unit)"
        }
        return "\(s)s"
    }
}

extension Duration {
    /// Seconds as a Double, for date arithmetic.
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
