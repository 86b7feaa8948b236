import Foundation
import Testing
@testable import CtfixCore

/// ctfix's own regex engine (`RegexSubsetParser`, `RegexPikeVM`) against ICU's
/// (NSRegularExpression) on random patterns of the subset and random lines: both must agree on
/// whether there is a match, on its text and on every capture group. The generator is seeded;
/// a failure prints the seed, the pattern and the line (CTFIX_REGEX_SEED=n replays a seed).
@Suite struct RegexDifferentialTests {
    /// Line pieces: ASCII, `é` precomposed and `e` + combining acute, an Arabic-Indic digit,
    /// no-break space, every ICU line terminator, CR LF, an emoji, underscore, punctuation.
    static let linePieces = ["a", "b", "c", "a", "b", "1", "é", "e\u{301}", "\u{663}", " ", "\u{A0}", "\u{2028}", "\n", "\r",
                             "\r\n", "\u{0B}", "\u{0C}", "\u{85}", "😀", "_", ".", "-", "\t", "\u{200D}"]
    static let literals = ["a", "b", "c", "é", "\u{663}", " ", "1", "_", "\\.", "\\-", "\\t", "\\n", "\\(", "\\*", "😀", "e\u{301}", "-"]
    static let classes = ["\\d", "\\D", "\\w", "\\W", "\\s", "\\S", ".", "[ab]", "[^a]", "[a-c]", "[\\d]", "[^\\s]", "[a\\d]",
                          "[é-ë]", "[ \\t]", "[^\\w\\n]", "[\\-a]", "[\\D\\s]", "[.]", "[a-b1-2]", "[^\\r\\n]", "[\u{0}-\u{7F}]",
                          "[a-]", "[-a]", "[-]", "[^-a]", "[a-c-]", "[._-]", "[1-]"]
    static let quantifiers = ["", "", "", "?", "*", "+", "??", "*?", "+?", "{2}", "{1,2}", "{0,2}", "{2,}", "{1,3}?", "{0,}?", "{3}?"]

    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 { // SplitMix64
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
        mutating func pick(_ items: [String]) -> String { items[below(items.count)] }

        mutating func pattern(depth: Int) -> String {
            let branches = depth < 2 && below(4) == 0 ? 2 + below(2) : 1
            return (0..<branches).map { _ in sequence(depth: depth) }.joined(separator: "|")
        }

        mutating func sequence(depth: Int) -> String {
            var text = below(8) == 0 ? "^" : ""
            for _ in 0..<(1 + below(4)) { text += atom(depth: depth) + pick(quantifiers) }
            if below(6) == 0 { text += "$" }
            return text
        }

        mutating func atom(depth: Int) -> String {
            switch below(depth < 3 ? 7 : 5) {
            case 0, 1, 2: return pick(literals)
            case 3, 4: return pick(classes)
            case 5: return "(" + pattern(depth: depth + 1) + ")"
            default: return "(?:" + pattern(depth: depth + 1) + ")"
            }
        }

        mutating func line() -> String {
            (0..<below(12)).map { _ in pick(linePieces) }.joined()
        }
    }

    static func shown(_ text: String) -> String {
        text.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 ? String($0) : "\\u{\(String($0.value, radix: 16))}" }.joined()
    }

    @Test func ownEngineAgreesWithICUOnRandomPatternsAndLines() throws {
        let seed = ProcessInfo.processInfo.environment["CTFIX_REGEX_SEED"].flatMap { UInt64($0) } ?? 20_261_129
        var generator = Generator(state: seed)
        var ownEngine = 0, compared = 0, failures = 0
        for patternNumber in 0..<4000 {
            let source = generator.pattern(depth: 0)
            let lines = (0..<24).map { _ in generator.line() }
            let icu: CompiledPattern
            do { icu = try CompiledPattern(uncheckedSource: source, subset: false) } catch {
                // malformed for ICU: ours must not accept it either, and must report ICU's error
                #expect(throws: CompiledPattern.CompileError.self, "seed \(seed) pattern #\(patternNumber) \(Self.shown(source))") {
                    try CompiledPattern(uncheckedSource: source, subset: true)
                }
                continue
            }
            let own = try CompiledPattern(uncheckedSource: source, subset: true)
            guard own.usesOwnEngine else { continue }
            ownEngine += 1
            for line in lines + [""] {
                // ICU gave up at its budget (backtracking blew up); ours decides: nothing to compare
                if icu.test(line) == .overLimit { continue }
                compared += 1
                let same = own.test(line) == icu.test(line) && own.firstMatch(in: line) == icu.firstMatch(in: line)
                    && own.captures(in: line) == icu.captures(in: line)
                if !same, failures < 20 {
                    failures += 1
                    Issue.record("""
                        seed \(seed) pattern #\(patternNumber) \(Self.shown(source)) line \(Self.shown(line)): \
                        own \(own.test(line)) \(own.firstMatch(in: line).map(Self.shown) ?? "nil") \(own.captures(in: line).map { $0.map { $0.map(Self.shown) ?? "nil" } } ?? []) \
                        icu \(icu.test(line)) \(icu.firstMatch(in: line).map(Self.shown) ?? "nil") \(icu.captures(in: line).map { $0.map { $0.map(Self.shown) ?? "nil" } } ?? [])
                        """)
                }
            }
        }
        // the comparison means something only if most generated patterns are in the subset
        #expect(ownEngine > 2500, "seed \(seed): only \(ownEngine) of 4000 patterns were in the subset")
        #expect(compared > 60000)
    }

    /// ICU's definitions the subset copies, one by one (the random test may draw them rarely).
    @Test(arguments: [
        ("a.b", "a\u{0B}b"), ("a.b", "a\u{0C}b"), ("a.b", "a\u{85}b"), ("a.b", "a\u{2029}b"), ("a.b", "a\u{2028}b"), ("a.b", "a\rb"),
        ("a$", "a\n"), ("a$", "a\r\n"), ("a$", "a\u{2029}"), ("a$", "a\u{0B}"), ("a$", "a\n\n"), ("a$\n", "a\n"), ("$", "\r\n"),
        ("\\s", "\u{0B}"), ("\\s", "\u{1680}"), ("\\s", "\u{200B}"), ("\\s", "\u{FEFF}"), ("\\s", "\u{85}"), ("\\s", "\u{3000}"),
        ("\\d", "\u{663}"), ("\\d", "\u{FF11}"), ("\\d", "\u{B2}"), ("\\d", "\u{2167}"), ("\\w", "\u{301}"), ("\\w", "\u{200C}"),
        ("\\w", "\u{2167}"), ("\\w", "\u{203F}"), ("\\w", "\u{B2}"), ("\\w", "ª"), ("\\w", "\u{24B6}"), ("\\W", "😀"),
        ("^a|b$", "ba"), ("(a|ab)(c|bcd)(d*)", "abcd"), ("(?:(a)|b)+", "ab"), ("(a)?", "b"), ("(a?)?", "b"), ("a{0}", "a"),
        ("(a){2,3}?", "aaaa"), ("[ ]", " "), ("[\\-a]+", "-a-"), ("\\ ", " "), ("a{1,2}b{2}", "aabb"),
    ])
    func icuDefinitionsAreCopied(_ source: String, _ line: String) throws {
        let own = try CompiledPattern(uncheckedSource: source, subset: true)
        let icu = try CompiledPattern(uncheckedSource: source, subset: false)
        #expect(own.usesOwnEngine)
        #expect(own.test(line) == icu.test(line))
        #expect(own.firstMatch(in: line) == icu.firstMatch(in: line))
        #expect(own.captures(in: line) == icu.captures(in: line))
    }
}
