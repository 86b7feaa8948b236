import Foundation
import Testing
@testable import CtfixCore

/// Attacks the YAML reader's bounds (`ParseLimits`): deep nesting in flow and block style,
/// alias bombs (including aliases as mapping keys, which made Yams hash 2^40 nodes and hang
/// before this check existed), huge collections and scalars, NUL bytes. Each must be one
/// positioned error; the alias scan must never miss an alias the reader would resolve.
struct YAMLLimitsTests {
    func diagnostic(_ text: String) -> Diagnostic? {
        do {
            _ = try YAMLDocumentParser.parse(text, file: "t.yaml")
            return nil
        } catch {
            return error.diagnostics.first
        }
    }

    @Test(arguments: [65, 1000, 100_000])
    func deepFlowNestingIsRefusedWithAPosition(_ depth: Int) throws {
        let text = "a: " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "\n"
        let found = try #require(diagnostic(text))
        #expect(found.line == 1 && found.column > 1, "\(found)")
        #expect(found.message.contains("nest") || found.message.contains("nesting"), "\(found.message)")
    }

    @Test func nestingAtTheLimitIsAccepted() {
        // The top-level mapping is level 1.
        let inner = ParseLimits.maximumYAMLDepth - 1
        let text = "a: " + String(repeating: "[", count: inner) + String(repeating: "]", count: inner) + "\n"
        #expect(diagnostic(text) == nil)
        let deeper = "a: " + String(repeating: "[", count: inner + 1) + String(repeating: "]", count: inner + 1) + "\n"
        #expect(diagnostic(deeper)?.message.contains("deeper than \(ParseLimits.maximumYAMLDepth)") == true)
    }

    @Test(arguments: [100, 10_000, 100_000])
    func deepBlockNestingIsRefused(_ depth: Int) {
        let text = "a:\n  " + String(repeating: "- ", count: depth) + "x\n"
        #expect(diagnostic(text) != nil)
    }

    @Test func aliasesAsKeysOfADoublingChainDoNotHang() throws {
        var lines = ["a0: &a0 [x, y]"]
        for level in 1..<40 { lines.append("a\(level): &a\(level) [*a\(level - 1), *a\(level - 1)]") }
        lines.append("k: {*a39: 1, *a38: 2}")
        let found = try #require(diagnostic(lines.joined(separator: "\n")))
        #expect(found.message.contains("aliases"), "\(found.message)")
        #expect(found.line > 1)
    }

    @Test func billionLaughsIsRefused() {
        var lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        for level in 1...9 { lines.append("a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ", ") + "]") }
        #expect(diagnostic(lines.joined(separator: "\n")) != nil)
    }

    @Test func aFewAliasesAreStillAllowed() {
        let text = "base: &b {x: 1}\none: *b\ntwo: [*b, *b]\n"
        #expect(diagnostic(text) == nil)
    }

    /// Every spelling of an alias position the reader accepts is counted (CR line breaks,
    /// flow after a JSON key, after commas, quotes that do not hide anything).
    @Test(arguments: ["\n", "\r", "\r\n", "\u{85}", "\u{2028}"])
    func theAliasScanSeesAliasesAfterEveryLineBreak(_ newline: String) {
        let uses = (0...ParseLimits.maximumAliases).map { "k\($0): *a" }
        let text = (["a: &a 1"] + uses).joined(separator: newline)
        #expect(YAMLAliasScan.firstAlias(beyond: ParseLimits.maximumAliases, in: text) != nil)
    }

    @Test func theAliasScanCountsFlowAndJSONStyleAliases() {
        let flow = "a: &a 1\nb: {" + (0...ParseLimits.maximumAliases).map { "\"k\($0)\":*a" }.joined(separator: ",") + "}\n"
        #expect(YAMLAliasScan.firstAlias(beyond: ParseLimits.maximumAliases, in: flow) != nil)
        let quoted = "a: &a 1\nb: ['x' , " + (0...ParseLimits.maximumAliases).map { _ in "*a" }.joined(separator: ", ") + "]\n"
        #expect(YAMLAliasScan.firstAlias(beyond: ParseLimits.maximumAliases, in: quoted) != nil)
    }

    @Test func markdownListsInBlockScalarsAndExpressionsAreNotAliases() {
        let bullets = (0..<100).map { "  * point \($0)" }.joined(separator: "\n")
        let text = "description: |\n\(bullets)\nset: max(current * 2, 65536)\nother: ram_mb * 16\n"
        #expect(YAMLAliasScan.firstAlias(beyond: ParseLimits.maximumAliases, in: text) == nil)
    }

    @Test func lineThatOnlyLooksLikeABlockScalarContentIsStillScanned() {
        // The text of `- key: |` must be indented beyond `key`; lines at the dash's column are YAML.
        let uses = (0...ParseLimits.maximumAliases).map { _ in " - *a" }.joined(separator: "\n")
        let text = "x: &a 1\nl:\n - k: |\n" + uses + "\n"
        #expect(YAMLAliasScan.firstAlias(beyond: ParseLimits.maximumAliases, in: text) != nil)
    }

    @Test func collectionsAndScalarsAreBounded() throws {
        let list = "a: [" + Array(repeating: "1", count: ParseLimits.maximumCollectionCount + 1).joined(separator: ",") + "]\n"
        #expect(try #require(diagnostic(list)).message.contains("items"))
        let keys = (0...ParseLimits.maximumCollectionCount).map { "k\($0): 1" }.joined(separator: "\n")
        #expect(try #require(diagnostic(keys)).message.contains("keys"))
        let scalar = "a: 1\nb: '" + String(repeating: "x", count: ParseLimits.maximumScalarBytes + 1) + "'\n"
        let found = try #require(diagnostic(scalar))
        #expect(found.line == 2 && found.column == 4 && found.message.contains("bytes"), "\(found)")
    }

    @Test func aNulByteIsRefusedWhereItIs() throws {
        let found = try #require(diagnostic("a: 1\nb: x\u{0}y\n"))
        #expect(found.line == 2 && found.column == 5, "\(found)")
    }
}

extension YAMLLimitsTests {
    /// Within the alias limit, a doubling chain still expands beyond the node limit: refused.
    @Test func aDoublingChainWithinTheAliasLimitStopsAtTheNodeLimit() throws {
        var lines = ["a0: &a0 [x, y]"]
        for level in 1...16 { lines.append("a\(level): &a\(level) [*a\(level - 1), *a\(level - 1)]") }
        #expect(YAMLAliasScan.firstAlias(beyond: ParseLimits.maximumAliases, in: lines.joined(separator: "\n")) == nil)
        let found = try #require(diagnostic(lines.joined(separator: "\n")))
        #expect(found.message.contains("more than \(ParseLimits.maximumNodes) nodes"), "\(found.message)")
    }
}

extension YAMLLimitsTests {
    /// The worst the alias limit still lets through: a 15-level doubling chain and two keys
    /// that alias its top, which Yams hashes (2^15 + 2^14 nodes) before any check of ours.
    /// Bounded: the document is refused (node limit) instead of hanging.
    @Test func theWorstAliasKeyAttackWithinTheLimitEnds() throws {
        var lines = ["a0: &a0 [x, y]"]
        for level in 1...15 { lines.append("a\(level): &a\(level) [*a\(level - 1), *a\(level - 1)]") }
        lines.append("k: {*a15: 1, *a14: 2}")
        let text = lines.joined(separator: "\n")
        #expect(YAMLAliasScan.firstAlias(beyond: ParseLimits.maximumAliases, in: text) == nil)
        #expect(diagnostic(text) != nil)
    }
}
