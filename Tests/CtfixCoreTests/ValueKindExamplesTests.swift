import Testing
@testable import CtfixCore

/// The documentation examples of `value` and `ratio` are tests: valid ones parse cleanly,
/// invalid ones fail at the stated line and column with the stated message.
@Suite struct ValueKindExamplesTests {
    static let kinds: [any PredicateKind.Type] = [ValuePredicate.self, RatioPredicate.self]

    @Test func eachKindHasEnoughExamples() {
        for kind in Self.kinds {
            #expect(kind.examples.valid.count >= 4, "\(kind.keyword)")
            #expect(kind.examples.invalid.count >= 6, "\(kind.keyword)")
            #expect(!kind.summary.isEmpty)
        }
    }

    @Test func validExamplesParse() throws {
        for kind in Self.kinds {
            for yaml in kind.examples.valid {
                let parsed = try parsePredicate(yaml, parameters: kind.examples.parameters)
                #expect(parsed.diagnostics.isEmpty, "\(yaml)\n→ \(parsed.diagnostics)")
                guard case .leaf(let leaf)? = parsed.predicate else {
                    Issue.record("\(yaml) did not parse as a \(kind.keyword) leaf")
                    continue
                }
                #expect(type(of: leaf).keyword == kind.keyword)
            }
        }
    }

    @Test func invalidExamplesFailWhereTheySay() throws {
        for kind in Self.kinds {
            for example in kind.examples.invalid {
                let parsed = try parsePredicate(example.yaml, parameters: kind.examples.parameters)
                #expect(parsed.predicate == nil, "\(example.yaml) should be rejected")
                let match = parsed.diagnostics.first { $0.message.contains(example.message) }
                #expect(match != nil, "\(example.yaml)\nexpected '\(example.message)', got \(parsed.diagnostics)")
                #expect(match.map { [$0.line, $0.column] } == [example.line, example.column],
                        "\(example.yaml)\n→ \(parsed.diagnostics)")
            }
        }
    }
}
