/// A bracket class or a class escape (`\d \D \w \W \s \S`) of the regex subset, with ICU's
/// meanings, from the standard library's Unicode properties (no ICU, no Foundation):
/// - `\d` is `\p{Nd}` (general category decimal number: `٣` is a digit);
/// - `\s` is `\p{White_Space}` (tab, line feed, `\u{0B}`, form feed, CR, space, U+0085,
///   U+00A0, U+2028, …);
/// - `\w` is ICU's word set: `\p{Alphabetic}`, `\p{Mark}`, `\p{Nd}`, `\p{Pc}`, U+200C, U+200D.
struct RegexScalarSet: Sendable {
    enum Property: Sendable {
        case digit, word, space
    }

    enum Item: Sendable {
        case range(UInt32, UInt32)
        case property(Property, negated: Bool)
    }

    var items: [Item]
    var negated: Bool

    func contains(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        for item in items {
            switch item {
            case .range(let low, let high):
                if value >= low && value <= high { return !negated }
            case .property(let property, let propertyNegated):
                if Self.has(property, scalar) != propertyNegated { return !negated }
            }
        }
        return negated
    }

    static func has(_ property: Property, _ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        switch property {
        case .digit:
            if value < 0x80 { return value >= 0x30 && value <= 0x39 }
            return scalar.properties.generalCategory == .decimalNumber
        case .space:
            if value < 0x80 { return (value >= 0x09 && value <= 0x0D) || value == 0x20 }
            return scalar.properties.isWhitespace
        case .word:
            if value < 0x80 {
                return (value >= 0x30 && value <= 0x39) || (value >= 0x41 && value <= 0x5A)
                    || (value >= 0x61 && value <= 0x7A) || value == 0x5F
            }
            if value == 0x200C || value == 0x200D { return true }
            let properties = scalar.properties
            if properties.isAlphabetic { return true }
            switch properties.generalCategory {
            case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation: return true
            default: return false
            }
        }
    }

    /// ICU's line terminators, which `.` does not match and before which a final `$` matches:
    /// `\n`, `\u{0B}`, `\u{0C}`, `\r`, U+0085, U+2028, U+2029.
    static func isLineTerminator(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        return (value >= 0x0A && value <= 0x0D) || value == 0x85 || value == 0x2028 || value == 0x2029
    }
}
