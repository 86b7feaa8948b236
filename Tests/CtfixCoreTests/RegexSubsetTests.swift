import Foundation
import Testing
@testable import CtfixCore

/// Which engine a pattern gets, and that the choice changes nothing a user sees: the shipped
/// patterns run on ctfix's own engine (so a dry-run never loads ICU's regex), everything
/// outside the subset still works through ICU, malformed patterns are reported exactly as
/// ICU reports them, and hostile input stays within the limits.
@Suite struct RegexSubsetTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    /// Every `pattern:`, `match:` and `match_re:` value written in the playbooks, examples and
    /// test playbooks (YAML files and the YAML inside the test sources).
    static func writtenPatterns() throws -> [(place: String, pattern: String)] {
        let extract = try NSRegularExpression(pattern: #"(?:pattern|match|match_re): *(?:\{ *\w+: *)?(?:'([^'\n]*)'|"([^"\\\n]*)"|([^'"\s}{][^\n}#]*?))\s*(?:#.*)?$"#,
                                              options: [.anchorsMatchLines])
        var found: [(String, String)] = []
        for directory in ["playbooks", "examples", "Tests", "docs"] {
            let root = "\(packageRoot)/\(directory)"
            guard let walker = FileManager.default.enumerator(atPath: root) else { continue }
            for case let file as String in walker where [".yaml", ".yml", ".swift", ".md"].contains(where: file.hasSuffix) {
                guard !file.hasSuffix("RegexSubsetTests.swift"), let text = try? String(contentsOfFile: "\(root)/\(file)", encoding: .utf8) else { continue }
                for match in extract.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                    for group in 1...3 {
                        if let range = Range(match.range(at: group), in: text) {
                            found.append(("\(directory)/\(file)", String(text[range]).replacingOccurrences(of: "\\\\", with: "\\")))
                        }
                    }
                }
            }
        }
        return found
    }

    @Test func everyWrittenPatternRunsOnTheOwnEngine() throws {
        let written = try Self.writtenPatterns()
        #expect(written.count > 30)
        // deliberately malformed or hostile ones, which the tests feed to ICU on purpose
        let deliberate: Set<String> = ["(table full", "(unclosed", "(a+)+$", "(a|aa)+\\z", "[", "(a+)+", "(x"]
        var checked = 0
        for (place, source) in written where !deliberate.contains(source) {
            guard let pattern = try? CompiledPattern(source) else { continue }
            checked += 1
            #expect(pattern.usesOwnEngine, "\(place): \(source) is outside the subset")
        }
        #expect(checked > 20)
        for shipped in ["(ip|nf)_conntrack|conntrack: ", "$^", "^(?:critical|page)$"] {
            #expect(try CompiledPattern(shipped).usesOwnEngine, "\(shipped)")
        }
    }

    /// The anchored name patterns the parsers once checked with Foundation's regex (now byte
    /// rules, NameRuleTests) are in the subset, and the own engine answers them as
    /// `range(of:options: .regularExpression)` does, including `$` before a final newline.
    @Test func ownEngineAnswersNamePatternsAsFoundationDoes() {
        let rules = ["^[a-z_][a-z0-9_]*$", "^[a-z0-9][a-z0-9._-]{0,62}$", "^[a-z0-9_]+$",
                     #"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?[ ]*%?$"#, "^[a-z0-9_]{1,32}$",
                     "^/etc/sysctl\\.d/[A-Za-z0-9_.-]+\\.conf$", "^[A-Za-z0-9@._:\\\\-]+$", "^[A-Za-z0-9_][A-Za-z0-9._+-]*$",
                     "^[A-Z_][A-Z0-9_]*$", "^[A-Za-z0-9_./=:@%+,${}-]+$"]
        let names = ["nf_conntrack", "a", "", "A", "9x", "x-y.z", "-x", "x\n", "x\n\n", "x\r\n", "é", "x\u{2028}", "1.5e3 %", "+.5", "90%",
                     "1e", String(repeating: "a", count: 63), String(repeating: "a", count: 64), "a b", "a\u{301}", "٣"]
        for rule in rules {
            #expect(RegexSubsetParser.parse(rule) != nil, "\(rule)")
            for name in names {
                #expect(CompiledPattern.ownPatternMatches(rule, name) == (name.range(of: rule, options: .regularExpression) != nil),
                        "\(rule) on \(RegexDifferentialTests.shown(name))")
            }
        }
    }

    /// `${name}` shown as `name` in evidence, by hand now: the same text as the regular
    /// expression it replaces, hostile spellings included.
    @Test(arguments: ["${a} > 1", "${a}${b_2}", "$${a}", "${}", "${1a}", "${a", "${A}", "${a\u{301}}", "${b\u{301}}", "x${a}y${", "${${a}}", "", "${_}"])
    func plainTextWritesNamesAsTheRegexDid(_ text: String) {
        let expected = text.replacingOccurrences(of: #"\$\{([a-z_][a-z0-9_]*)\}"#, with: "$1", options: .regularExpression)
        #expect(ValueComparison.plainText(text: text) == expected)
    }

    /// Outside the subset: ICU matches, with its meaning (each line here tells the engines apart
    /// if the pattern were read as the subset would).
    @Test(arguments: [
        ("a\\b", "a b", true), ("(?i)TABLE", "table", true), ("(?=a)a", "a", true), ("a++b", "aab", true), ("\\p{Lu}", "É", true),
        ("\\Qa.b\\E", "axb", false), ("\\x41", "A", true), ("(?<n>a)", "a", true), ("[a-z&&[^b]]", "b", false), ("[[ab]c]", "c", true),
        ("a\\z", "a", true), ("\\v", "\u{0B}", true), ("[:alpha:]", "a", true), ("(a?)*b", "b", true), ("\\u00e9", "é", true),
        ("a{1001}", String(repeating: "a", count: 1001), true), ("[\\d-]", "-", true), ("[a-c-e]", "-", true), ("(?:a{10}){1000}", "aa", false),
    ])
    func patternsOutsideTheSubsetStillWork(_ source: String, _ line: String, _ matches: Bool) throws {
        let pattern = try CompiledPattern(source)
        #expect(!pattern.usesOwnEngine)
        #expect(pattern.matches(line) == matches)
    }

    /// A malformed pattern never reaches the own engine: ICU reports it, in the same words.
    @Test(arguments: ["(table full", "a)", "[z-a]", "a**", "*a", "a{2,1}", "[", "\\", "(?", "a{", "[]", "(?P<n>a)", "+", "a|*"])
    func malformedPatternsAreReportedByICUExactlyAsBefore(_ source: String) {
        var ownReason: String?, icuReason: String?
        do { _ = try CompiledPattern(source) } catch { ownReason = error.reason }
        do { _ = try NSRegularExpression(pattern: source, options: []) } catch {
            let nsError = error as NSError
            icuReason = (nsError.userInfo["NSInvalidValue"] as? String).map { "near '\($0)'" } ?? nsError.localizedDescription
        }
        if icuReason == nil {
            // accepted by ICU (e.g. `a{`): then it must work and not be ours
            #expect(ownReason == nil)
            #expect((try? CompiledPattern(source))?.usesOwnEngine == false)
        } else {
            #expect(ownReason == icuReason, "\(source)")
        }
        #expect(RegexSubsetParser.parse(source) == nil || icuReason == nil)
    }

    /// The cost rule runs before either engine: patterns it refuses are refused even when the
    /// subset could match them in linear time.
    @Test(arguments: ["(a+)+", "(\\w+\\s?)+$", "(.*a){20}", "(a|a)*"])
    func theCostRuleStillRefusesWhatItRefused(_ source: String) {
        #expect(RegexSubsetParser.parse(source) != nil)
        #expect(throws: CompiledPattern.CompileError.self) { try CompiledPattern(source) }
    }

    /// Lines of 64 KiB are refused by length whatever the pattern; 8 KiB lines (the limit)
    /// against the largest programs the subset and the cost rule allow still come back.
    @Test func hostileLinesStayWithinTheLimits() throws {
        let huge = String(repeating: "a\u{301}", count: 32 * 1024)
        for source in ["a", "(a|aa)+$", "[^b]*c"] {
            #expect(try CompiledPattern(source).test(huge) == .overLimit)
        }
        let limitLine = String(repeating: "ab", count: CompiledPattern.maximumMatchedBytes / 2 - 1) + "\u{2028}"
        for source in ["(?:(?:a|ab|b){1,16}x?){16}$", "(a{1,16}b{1,16}){16}c", "[\\w\\s]{100,1000}z"] {
            let pattern = try CompiledPattern(source)
            #expect(pattern.usesOwnEngine, "\(source)")
            let result = pattern.test(limitLine)
            #expect(result == .noMatch || result == .overLimit, "\(source): \(result)")
        }
        // a program over the instruction limit goes to ICU rather than slowing every match
        #expect(RegexProgram(try #require(RegexSubsetParser.parse("(?:[ab]{1,100}){60}")).node, captureCount: 0) == nil)
    }
}
