import Foundation
import Testing
@testable import CtfixCore

/// The byte-level name rules replaced `range(of:options: .regularExpression)` (ICU) in the
/// parsers. Differential: generated strings are judged by the rule and by the regular
/// expression it replaced; they must agree, except that ICU's `$` also matched before one
/// final line terminator (`"name\n"`), which the rules refuse on purpose.
@Suite struct NameRuleTests {
    /// The suite's seeded generator (SplitMix64), as the other differential tests use.
    typealias SplitMix = LogByteSearchTests.SplitMix

    static let rules: [(String, NameRule)] = [
        ("^[a-z_][a-z0-9_]*$", .parameterReference),
        ("^[a-z_][a-z0-9_]{0,62}$", .parameterName),
        ("^[a-z0-9][a-z0-9._-]{0,62}$", .playbookName),
        ("^[a-z0-9_]+$", .kernelModule),
        ("^[a-z0-9_]{1,32}$", .statColumn),
        (#"^[A-Za-z0-9@._:\\-]+$"#, .unitName),
        ("^[A-Za-z0-9_][A-Za-z0-9._+-]*$", .programName),
        ("^[A-Z_][A-Z0-9_]*$", .environmentName),
        ("^[A-Za-z0-9_./=:@%+,${}-]+$", .shellWord),
    ]

    /// Pieces chosen to sit on every set's edges: neighbours of each range end, the specials
    /// some sets admit, controls, line terminators, non-ASCII letters and digits.
    static let alphabet: [String] = [
        "a", "z", "A", "Z", "0", "9", "_", "-", ".", "@", ":", "\\", "+", ",", "%", "=", "/", "$", "{", "}",
        "`", "{", "[", "^", "/", ";", "'", "\"", " ", "\t", "\n", "\r", "\u{0}", "\u{7f}", "é", "ß", "٣",
        "\u{2028}", "\u{85}", "K", "q", "5", "*", "(", "!",
    ]

    static func generated(count: Int, seed: UInt64) -> [String] {
        var random = SplitMix(state: seed)
        var result = ["", "a", "a\n", "A\n", "x\r\n", String(repeating: "a", count: 63), String(repeating: "a", count: 64),
                      String(repeating: "b", count: 32), String(repeating: "b", count: 33), "-a", ".a", "_"]
        for _ in 0..<count {
            let length = Int.random(in: 0...(Bool.random(using: &random) ? 6 : 70), using: &random)
            result.append((0..<length).map { _ in alphabet.randomElement(using: &random)! }.joined())
        }
        return result
    }

    static func regexSays(_ pattern: String, _ text: String) -> Bool {
        text.range(of: pattern, options: .regularExpression) != nil
    }

    static func endsWithLineTerminator(_ text: String) -> Bool {
        guard let last = text.unicodeScalars.last else { return false }
        return ["\n", "\r", "\u{85}", "\u{2028}", "\u{2029}", "\u{0B}", "\u{0C}"].contains(last)
    }

    @Test("each rule agrees with the regular expression it replaced on 3 000 generated strings")
    func differential() {
        let seed = UInt64(0xC7F1_2026)
        let inputs = Self.generated(count: 3000, seed: seed)
        for (pattern, rule) in Self.rules {
            for text in inputs {
                let ours = rule.matches(text)
                let theirs = Self.regexSays(pattern, text)
                if Self.endsWithLineTerminator(text) {
                    #expect(!ours, "seed \(seed): \(pattern) must refuse \(text.debugDescription)")
                } else {
                    #expect(ours == theirs, "seed \(seed): \(pattern) on \(text.debugDescription): rule \(ours), regex \(theirs)")
                }
            }
        }
    }

    @Test("a trailing newline no longer passes a name check ICU's `$` let through")
    func trailingNewline() {
        #expect(Self.regexSays("^[a-z0-9_]+$", "nf_conntrack\n"))
        #expect(!NameRule.kernelModule.matches("nf_conntrack\n"))
        #expect(!NameRule.playbookName.matches("table-full\n"))
        #expect(NameRule.playbookName.matches("table-full"))
    }

    @Test("sysctl drop-in paths agree with the regular expression they replaced")
    func sysctlPaths() {
        var random = SplitMix(state: 7)
        let stems = Self.generated(count: 600, seed: 11)
        var paths = ["/etc/sysctl.conf", "/etc/sysctl.d/.conf", "/etc/sysctl.d/..conf", "/etc/sysctl.d/a.conf",
                     "/etc/sysctl.d/a.conf\n", "/etc/sysctl.d/a/b.conf", "/etc/sysctl.d/99-lb.conf", "/etc/sysctl.d/99 lb.conf",
                     "/etc/sysctl.dx/a.conf", "/etc/sysctl.conf.d"]
        for stem in stems {
            let suffix = [".conf", ".con", ".conf.bak", "conf", ""].randomElement(using: &random)!
            paths.append("/etc/sysctl.d/" + stem + suffix)
        }
        for path in paths {
            let theirs = path == "/etc/sysctl.conf" || Self.regexSays(#"^/etc/sysctl\.d/[A-Za-z0-9_.-]+\.conf$"#, path)
            if Self.endsWithLineTerminator(path) {
                #expect(!NameRule.isSysctlConfigPath(path))
            } else {
                #expect(NameRule.isSysctlConfigPath(path) == theirs, "\(path.debugDescription)")
            }
        }
    }

    @Test("share syntax agrees with the regular expression it replaced")
    func shareSyntax() {
        let pattern = #"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?[ ]*%?$"#
        let pieces = ["0", "9", "1", ".", "+", "-", "e", "E", "%", " ", "x", "\n", "5", "00"]
        var random = SplitMix(state: 99)
        var inputs = ["90%", "0.9", ".5", "5.", "5e-1", "1e", "e5", "+.", "-0", "100 %", "%", "", "0.9\n", " 5", "5 % ", "5%%"]
        for _ in 0..<5000 {
            inputs.append((0..<Int.random(in: 0...9, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined())
        }
        for text in inputs {
            if Self.endsWithLineTerminator(text) {
                #expect(!ShareText.isShareSyntax(text))
            } else {
                #expect(ShareText.isShareSyntax(text) == Self.regexSays(pattern, text), "\(text.debugDescription)")
            }
        }
    }

    @Test("diagnostic locations are found where the regular expression found them")
    func diagnosticLocation() {
        let pattern = #":[0-9]+:[0-9]+: (error|warning): "#
        let pieces = ["p.yaml", ":", "12", "3", " ", "error", "warning", ": ", "x", "é", "::", "error: ", "warning: "]
        var random = SplitMix(state: 5)
        var inputs = ["p.yaml:12:5: error: unknown key", "a:1:2: warning: w", "a:1:2: error:x", "a:1: error: x",
                      "a:b:1:2: error: m: 3:4: error: n", ":1:2: error: ", "no location"]
        for _ in 0..<4000 {
            inputs.append((0..<Int.random(in: 0...10, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined())
        }
        for line in inputs {
            let ours = JSONErrorReport.location(of: line)
            if let range = line.range(of: pattern, options: .regularExpression) {
                let marker = line[range]
                let location = String(line[..<range.lowerBound] + marker.prefix { $0 != " " }.dropLast())
                #expect(ours?.location == location && ours?.message == String(line[range.upperBound...]), "\(line.debugDescription)")
            } else {
                #expect(ours == nil, "\(line.debugDescription)")
            }
        }
    }

    @Test("parameter references are spelled out as the regular expression replacement did")
    func plainText() throws {
        let pieces = ["${", "}", "a", "b_1", "$", "{", "A", "9", " ", "x}", "${}", "é"]
        var random = SplitMix(state: 3)
        for _ in 0..<3000 {
            let text = (0..<Int.random(in: 0...8, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
            let expected = text.replacingOccurrences(of: #"\$\{([a-z_][a-z0-9_]*)\}"#, with: "$1", options: .regularExpression)
            #expect(ValueComparison.plainText(text: text) == expected, "\(text.debugDescription)")
        }
    }
}

/// `trimmed(_:)` replaced Foundation's `trimmingCharacters(in:)` in every parser.
@Suite struct TextTrimmingTests {
    @Test("each set holds exactly the scalars of Foundation's set of the same name (all of Unicode)")
    func setsEqualFoundations() {
        let pairs: [(TrimSet, CharacterSet)] = [(.whitespaces, .whitespaces), (.newlines, .newlines), (.whitespacesAndNewlines, .whitespacesAndNewlines)]
        for (ours, theirs) in pairs {
            var differences: [UInt32] = []
            for value in UInt32(0)...0x10FFFF {
                guard let scalar = Unicode.Scalar(value) else { continue }
                if ours.contains(scalar) != theirs.contains(scalar) { differences.append(value) }
            }
            #expect(differences.isEmpty, "\(ours): \(differences.prefix(10).map { String($0, radix: 16) })")
        }
    }

    @Test("generated strings are trimmed as trimmingCharacters(in:) trims them")
    func trimsAsFoundation() {
        var random = NameRuleTests.SplitMix(state: 42)
        let pieces = [" ", "\t", "\n", "\r", "\u{0B}", "\u{0C}", "\u{85}", "\u{A0}", "\u{2028}", "\u{2029}", "\u{3000}", "\u{200B}",
                      "a", "é", "e\u{301}", "\u{301}", "😀", "x y", "\u{FEFF}", "\u{1680}"]
        for _ in 0..<5000 {
            let text = (0..<Int.random(in: 0...8, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
            #expect(text.trimmed(.whitespaces) == text.trimmingCharacters(in: .whitespaces), "\(text.debugDescription)")
            #expect(text.trimmed(.newlines) == text.trimmingCharacters(in: .newlines), "\(text.debugDescription)")
            #expect(text.trimmed(.whitespacesAndNewlines) == text.trimmingCharacters(in: .whitespacesAndNewlines), "\(text.debugDescription)")
            let sub = Substring(text)
            #expect(sub.trimmed(.whitespacesAndNewlines) == sub.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }
}
