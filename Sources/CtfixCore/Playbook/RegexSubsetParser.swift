/// Parses the subset of ICU's regular-expression syntax that ctfix matches with its own
/// linear-time engine (`RegexPikeVM`); `parse` returns nil for anything else, and
/// `CompiledPattern` then hands the pattern to NSRegularExpression unchanged. Nil is also the
/// answer for a malformed pattern, so ICU reports its error exactly as before.
///
/// The subset: literals and escaped punctuation, `\t \n \r \f`, `.`, bracket classes (ranges,
/// `^` negation, escapes inside), `\d \D \w \W \s \S`, `( )` and `(?: )`, `|`,
/// `? * + {m} {m,} {m,n}` and their lazy forms, `^` and `$` (not multiline). Left to ICU:
/// backreferences, lookaround, possessive quantifiers, inline flags, `\b`, `\p{..}`, `\Q..\E`,
/// numeric escapes, named groups, nested or set-operation classes, a literal `-` other than
/// first or last in a class, a literal `&` or `]` in a class, a stray `{` `}` `]`, and a loop (`*`, `+`,
/// `{..}`) around something that can match empty, where engines end empty iterations
/// differently.
struct RegexSubsetParser {
    /// The most `{m,n}` bound the subset accepts (larger bounds go to ICU).
    static let maximumCount = 1000

    private let scalars: [Unicode.Scalar]
    private var index = 0
    private(set) var captureCount = 0

    private init(_ pattern: String) {
        scalars = Array(pattern.unicodeScalars)
    }

    /// The pattern's tree and its number of capture groups, or nil when it is outside the subset.
    static func parse(_ pattern: String) -> (node: RegexNode, captureCount: Int)? {
        var parser = RegexSubsetParser(pattern)
        guard !parser.scalars.isEmpty, let node = parser.alternation(), parser.index == parser.scalars.count else { return nil }
        return (node, parser.captureCount)
    }

    private var current: Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }

    private mutating func alternation() -> RegexNode? {
        var branches: [RegexNode] = []
        while true {
            guard let branch = concatenation() else { return nil }
            branches.append(branch)
            guard current == "|" else { break }
            index += 1
        }
        return branches.count == 1 ? branches[0] : .alternation(branches)
    }

    private mutating func concatenation() -> RegexNode? {
        var items: [RegexNode] = []
        while let scalar = current, scalar != "|", scalar != ")" {
            guard let atom = atom() else { return nil }
            guard let quantified = quantified(atom) else { return nil }
            items.append(quantified)
        }
        switch items.count {
        case 0: return .empty
        case 1: return items[0]
        default: return .concat(items)
        }
    }

    private mutating func atom() -> RegexNode? {
        guard let scalar = current else { return nil }
        index += 1
        switch scalar {
        case ".": return .dot
        case "^": return .start
        case "$": return .end
        case "[": return bracketClass()
        case "\\": return escape(inClass: false).map { $0.node }
        case "(":
            var capture: Int?
            if current == "?" {
                guard index + 1 < scalars.count, scalars[index + 1] == ":" else { return nil }
                index += 2
            } else {
                captureCount += 1
                capture = captureCount
            }
            guard let body = alternation(), current == ")" else { return nil }
            index += 1
            return .group(body, capture: capture)
        case "?", "*", "+", "{", "}", "]", ")", "|": return nil
        default: return .scalar(scalar)
        }
    }

    private mutating func quantified(_ atom: RegexNode) -> RegexNode? {
        guard let scalar = current else { return atom }
        var min = 0, max: Int?
        switch scalar {
        case "?": max = 1; index += 1
        case "*": index += 1
        case "+": min = 1; index += 1
        case "{":
            index += 1
            guard let low = number() else { return nil }
            min = low
            if current == "," {
                index += 1
                if current != "}" {
                    guard let high = number(), high >= low else { return nil }
                    max = high
                }
            } else {
                max = low
            }
            guard current == "}" else { return nil }
            index += 1
        default: return atom
        }
        var greedy = true
        if current == "?" { greedy = false; index += 1 }
        // a quantifier on an anchor, a second quantifier, `++` (possessive): left to ICU
        if let next = current, "?*+{".unicodeScalars.contains(next) { return nil }
        switch atom {
        case .start, .end, .empty: return nil
        default: break
        }
        if atom.isNullable, !(min == 0 && max == 1 && scalar == "?") { return nil }
        return .repetition(atom, min: min, max: max, greedy: greedy)
    }

    private mutating func number() -> Int? {
        var value = 0, digits = 0
        while let scalar = current, scalar.value >= 0x30, scalar.value <= 0x39 {
            value = value * 10 + Int(scalar.value - 0x30)
            digits += 1
            index += 1
            guard value <= Self.maximumCount else { return nil }
        }
        return digits > 0 ? value : nil
    }

    /// After a `\`: a class escape, a control escape or escaped ASCII punctuation.
    private mutating func escape(inClass: Bool) -> (node: RegexNode, scalar: Unicode.Scalar?)? {
        guard let scalar = current else { return nil }
        index += 1
        let property: (RegexScalarSet.Property, Bool)?
        switch scalar {
        case "d": property = (.digit, false)
        case "D": property = (.digit, true)
        case "w": property = (.word, false)
        case "W": property = (.word, true)
        case "s": property = (.space, false)
        case "S": property = (.space, true)
        case "t": return (.scalar("\t"), "\t")
        case "n": return (.scalar("\n"), "\n")
        case "r": return (.scalar("\r"), "\r")
        case "f": return (.scalar("\u{0C}"), "\u{0C}")
        default:
            let value = scalar.value
            let punctuation = (value >= 0x20 && value <= 0x2F) || (value >= 0x3A && value <= 0x40)
                || (value >= 0x5B && value <= 0x60) || (value >= 0x7B && value <= 0x7E)
            return punctuation ? (.scalar(scalar), scalar) : nil
        }
        guard let (kind, negated) = property else { return nil }
        return (.set(RegexScalarSet(items: [.property(kind, negated: negated)], negated: false)), nil)
    }

    /// After a `[`: items up to the closing `]`.
    private mutating func bracketClass() -> RegexNode? {
        var negated = false
        if current == "^" { negated = true; index += 1 }
        var items: [RegexScalarSet.Item] = []
        var lastWasScalar = false
        while true {
            guard let scalar = current else { return nil }
            if scalar == "-" {
                // a literal `-` first (`[-a]`) or last after a scalar or range (`[a-z_-]`), as ICU reads it
                let closes = index + 1 < scalars.count && scalars[index + 1] == "]"
                guard items.isEmpty || (closes && lastWasScalar) else { return nil }
                items.append(.range(0x2D, 0x2D))
                index += 1
                continue
            }
            if scalar == "]" {
                guard !items.isEmpty else { return nil } // `[]…` and `[^]…`: ICU's reading differs
                index += 1
                return .set(RegexScalarSet(items: items, negated: negated))
            }
            if items.isEmpty, scalar == ":" { return nil } // `[:alpha:]`
            guard let low = classMember() else { return nil }
            guard let lowScalar = low.scalar else {
                if current == "-" { return nil }
                items.append(low.item)
                lastWasScalar = false
                continue
            }
            lastWasScalar = true
            guard current == "-", index + 1 < scalars.count, scalars[index + 1] != "]" else { items.append(low.item); continue }
            index += 1
            guard current != "]", let high = classMember(), let highScalar = high.scalar,
                  lowScalar.value <= highScalar.value else { return nil }
            items.append(.range(lowScalar.value, highScalar.value))
        }
    }

    /// One member of a class: a scalar (which may start a range) or a class escape.
    private mutating func classMember() -> (item: RegexScalarSet.Item, scalar: Unicode.Scalar?)? {
        guard let scalar = current else { return nil }
        switch scalar {
        case "[", "]", "-", "&": return nil
        case "\\":
            index += 1
            guard let escaped = escape(inClass: true) else { return nil }
            if let single = escaped.scalar { return (.range(single.value, single.value), single) }
            guard case .set(let set) = escaped.node, let item = set.items.first else { return nil }
            return (item, nil)
        default:
            index += 1
            return (.range(scalar.value, scalar.value), scalar)
        }
    }
}
