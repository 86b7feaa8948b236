import Testing
@testable import CtfixCore

/// Every predicate kind documents itself with examples; this runs them, so the documentation
/// cannot drift from the parser (action kinds' examples run in `ActionExamplesTests`). Valid snippets must parse without errors;
/// invalid ones must fail at exactly the stated line and column with the stated message.
@Suite struct KindExamplesTests {
    static let predicateKeywords = Predicate.kinds.map { $0.keyword }
    func parsePredicate(_ yaml: String, parameters: Set<String>) throws -> [Diagnostic] {
        let node = try YAMLDocumentParser.parse(yaml, file: "example.yaml")
        var scope = ParseScope(file: "example.yaml", parameterNames: parameters)
        _ = Predicate.parse(node, scope: &scope)
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

    @Test func logPredicateDocumentsEnoughCases() {
        #expect(LogPredicate.examples.valid.count >= 4)
        #expect(LogPredicate.examples.invalid.count >= 6)
    }
}
