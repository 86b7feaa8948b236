import Testing
@testable import CtfixCore

/// Runs every action kind's documentation examples: valid snippets (whole actions, as written
/// under `actions:`) must parse without a single diagnostic, invalid ones must fail with the
/// stated message at the stated line and column.
@Suite struct ActionExamplesTests {
    struct Example: Sendable, CustomTestStringConvertible {
        var keyword: String
        var index: Int
        var yaml: String
        var parameters: Set<String>
        var expected: KindExamples.Invalid?
        var testDescription: String { "\(keyword) \(expected == nil ? "valid" : "invalid") #\(index + 1)" }
    }

    static let validExamples: [Example] = PlaybookAction.kinds.flatMap { kind in
        kind.examples.valid.enumerated().map {
            Example(keyword: kind.keyword, index: $0.offset, yaml: $0.element, parameters: kind.examples.parameters, expected: nil)
        }
    }

    static let invalidExamples: [Example] = PlaybookAction.kinds.flatMap { kind in
        kind.examples.invalid.enumerated().map {
            Example(keyword: kind.keyword, index: $0.offset, yaml: $0.element.yaml, parameters: kind.examples.parameters, expected: $0.element)
        }
    }

    static func parse(_ example: Example) throws -> (PlaybookAction?, [Diagnostic]) {
        let node = try YAMLDocumentParser.parse(example.yaml, file: "example.yaml")
        var scope = ParseScope(file: "example.yaml", parameterNames: example.parameters)
        let action = ActionListParser.parseAction(node, scope: &scope)
        return (action, scope.diagnostics)
    }

    @Test(arguments: PlaybookAction.kinds.map { $0.keyword })
    func everyKindDocumentsEnoughExamples(_ keyword: String) throws {
        let kind = try #require(PlaybookAction.kinds.first { $0.keyword == keyword })
        #expect(kind.examples.valid.count >= 3)
        #expect(kind.examples.invalid.count >= 4)
        #expect(kind.summary.count > 30, "summary should be a real sentence")
    }

    @Test(arguments: validExamples)
    func validExampleParsesCleanly(_ example: Example) throws {
        let (action, diagnostics) = try Self.parse(example)
        #expect(diagnostics.isEmpty, "\(diagnostics.map(\.description))")
        let parsed = try #require(action)
        #expect(type(of: parsed.kind).keyword == example.keyword)
        #expect(!parsed.kind.summaryLine.isEmpty)
    }

    @Test(arguments: invalidExamples)
    func invalidExampleFailsAtTheStatedPlace(_ example: Example) throws {
        let expected = try #require(example.expected)
        let (_, diagnostics) = try Self.parse(example)
        let errors = diagnostics.filter { $0.severity == .error }
        #expect(errors.contains { $0.line == expected.line && $0.column == expected.column && $0.message.contains(expected.message) },
                "expected \(expected.line):\(expected.column): \(expected.message); got \(errors.map(\.description))")
    }
}
