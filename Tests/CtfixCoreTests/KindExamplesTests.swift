import Testing
@testable import CtfixCore

/// Every predicate and action kind documents itself with examples; this runs them, so the
/// documentation cannot drift from the parser. Valid snippets must parse without errors;
/// invalid ones must fail at exactly the stated line and column with the stated message.
@Suite struct KindExamplesTests {
    static let predicateKeywords = Predicate.kinds.map { $0.keyword }
    static let actionKeywords = PlaybookAction.kinds.map { $0.keyword }

    /// Lines put before an action snippet to make it a whole action; invalid examples' line
    /// numbers are relative to the snippet, so they move down by this much.
    static let actionPreambleLines = 3

    static func actionPreamble(_ kind: any ActionKind.Type) -> String {
        "name: example\nexplain: Shows the \(kind.keyword) kind.\nrisk: \(kind.minimumRisk.rawValue)\n"
    }

    func parsePredicate(_ yaml: String, parameters: Set<String>) throws -> [Diagnostic] {
        let node = try YAMLDocumentParser.parse(yaml, file: "example.yaml")
        var scope = ParseScope(file: "example.yaml", parameterNames: parameters)
        _ = Predicate.parse(node, scope: &scope)
        return scope.diagnostics.filter { $0.severity == .error }
    }

    func parseAction(_ yaml: String, kind: any ActionKind.Type, parameters: Set<String>) throws -> [Diagnostic] {
        let node = try YAMLDocumentParser.parse(Self.actionPreamble(kind) + yaml, file: "example.yaml")
        var scope = ParseScope(file: "example.yaml", parameterNames: parameters)
        _ = ActionListParser.parseAction(node, scope: &scope)
        return scope.diagnostics.filter { $0.severity == .error }
    }

    @Test(arguments: predicateKeywords)
    func predicateExamples(_ keyword: String) throws {
        let kind = try #require(Predicate.kinds.first { $0.keyword == keyword })
        let examples = kind.examples
        for yaml in examples.valid {
            let errors = try parsePredicate(yaml, parameters: examples.parameters)
            #expect(errors.isEmpty, "valid \(keyword) example rejected:\n\(yaml)\n\(errors)")
        }
        for example in examples.invalid {
            let errors = try parsePredicate(example.yaml, parameters: examples.parameters)
            #expect(errors.contains { $0.line == example.line && $0.column == example.column && $0.message.contains(example.message) },
                    "invalid \(keyword) example: expected \(example.line):\(example.column) '\(example.message)'\n\(example.yaml)\ngot \(errors)")
        }
    }

    @Test(arguments: actionKeywords)
    func actionExamples(_ keyword: String) throws {
        let kind = try #require(PlaybookAction.kinds.first { $0.keyword == keyword })
        let examples = kind.examples
        for yaml in examples.valid {
            let errors = try parseAction(yaml, kind: kind, parameters: examples.parameters)
            #expect(errors.isEmpty, "valid \(keyword) example rejected:\n\(yaml)\n\(errors)")
        }
        for example in examples.invalid {
            let errors = try parseAction(example.yaml, kind: kind, parameters: examples.parameters)
            let line = example.line + Self.actionPreambleLines
            #expect(errors.contains { $0.line == line && $0.column == example.column && $0.message.contains(example.message) },
                    "invalid \(keyword) example: expected \(example.line):\(example.column) '\(example.message)' (snippet lines)\n\(example.yaml)\ngot \(errors)")
        }
    }

    @Test func logPredicateDocumentsEnoughCases() {
        #expect(LogPredicate.examples.valid.count >= 4)
        #expect(LogPredicate.examples.invalid.count >= 6)
    }
}
