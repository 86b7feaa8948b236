import Foundation
import Testing
@testable import CtfixCore

/// Attacks every bound of `ParseLimits` in the parsers themselves: each hostile input must
/// come back as an error (never a trap, a stack overflow or a hang), and the input just inside
/// the bound must still be accepted, so the limit is where the documentation says it is.
/// The same inputs through the real binary are in CtfixCLITests' HostilePlaybookTests.
struct ParseLimitsTests {
    // MARK: Number expressions

    @Test(arguments: [
        String(repeating: "-", count: 100_000) + "0.5",
        String(repeating: "(", count: 60_000) + "0.5" + String(repeating: ")", count: 60_000),
        String(repeating: "(", count: 100_000),
        String(repeating: "max(", count: 20_000) + "1" + String(repeating: ")", count: 20_000),
        String(repeating: "-(", count: 5000) + "1" + String(repeating: ")", count: 5000),
        String(repeating: "1+", count: 60_000) + "1",
    ])
    func hostileExpressionsAreRefusedNotCrashed(_ text: String) {
        #expect(throws: NumberExpression.ParseError.self) { try NumberExpression(parsing: text) }
    }

    @Test func expressionDepthIsRefusedJustBeyondTheLimit() throws {
        let depth = ParseLimits.maximumExpressionDepth
        let inside = String(repeating: "-(", count: depth / 2) + "1" + String(repeating: ")", count: depth / 2)
        #expect(try NumberExpression(parsing: inside).constantValue == 1)
        let unary = String(repeating: "-", count: depth) + "2"
        #expect(try NumberExpression(parsing: unary).constantValue == 2)
        let beyond = String(repeating: "-", count: depth + 1) + "2"
        #expect(throws: NumberExpression.ParseError.self) { try NumberExpression(parsing: beyond) }
        let calls = String(repeating: "abs(", count: depth + 1) + "1" + String(repeating: ")", count: depth + 1)
        #expect(throws: NumberExpression.ParseError.self) { try NumberExpression(parsing: calls) }
    }

    @Test func expressionLengthIsBounded() throws {
        let sum = String(repeating: "1+", count: (ParseLimits.maximumExpressionLength - 1) / 2) + "1"
        #expect(sum.count <= ParseLimits.maximumExpressionLength)
        #expect(try NumberExpression(parsing: sum).constantValue == Double(sum.count / 2 + 1))
        #expect(throws: NumberExpression.ParseError.self) { try NumberExpression(parsing: sum + "+1") }
    }

    @Test(arguments: ["99999999999999999999", String(repeating: "9", count: 400), "1e309", "99999999999999999999TiB",
                      "9007199254740994", "9000TiB"])
    func numbersBeyondTheMagnitudeAreRefused(_ text: String) {
        #expect(throws: NumberExpression.ParseError.self) { try NumberExpression(parsing: text) }
    }

    @Test(arguments: ["nan", "NaN", "inf", "Infinity", ".inf", "0x1p1024"])
    func nanAndInfinityAreNotNumbers(_ text: String) throws {
        let expression = try? NumberExpression(parsing: text)
        // Either refused as text, or a name that no host knows: never a non-finite constant.
        #expect(expression?.constantValue == nil)
    }

    @Test(arguments: ["9007199254740992 * 2", "9007199254740992 + 2", "4503599627370496 * 4 - 1", "0 - 9007199254740992 * 1.5"])
    func arithmeticBeyondTheMagnitudeIsAnEvaluationError(_ text: String) throws {
        let expression = try NumberExpression(parsing: text)
        #expect(throws: NumberExpression.EvaluationError.self) { try expression.evaluate() }
    }

    @Test func variablesOutsideTheRangeCannotProduceNaNOrInfinity() throws {
        let expression = try NumberExpression(parsing: "current * 2")
        for value in [Double.nan, .infinity, -.infinity, 1e300] {
            #expect(throws: NumberExpression.EvaluationError.self) { try expression.evaluate(variables: ["current": value]) }
        }
    }

    // MARK: Durations

    @Test(arguments: ["99999999999999999999d", String(repeating: "9", count: 400) + "s", "9223372036854775807ms",
                      "106751991167301d", "3651d", "3650d1ms", String(repeating: "1h", count: 40), "1e9s", "1.5.5s", "-1s"])
    func hostileDurationsAreRefused(_ text: String) {
        #expect(throws: DurationText.ParseError.self) { try DurationText.checked(text) }
        #expect(DurationText.parse(text) == nil)
    }

    @Test func theLongestDurationIsAccepted() throws {
        #expect(try DurationText.checked("3650d") == ParseLimits.maximumDuration)
        #expect(try DurationText.checked("3649d23h59m59s999ms") < ParseLimits.maximumDuration)
        #expect(ParseLimits.maximumDurationText == "3650d")
    }

    // MARK: Parameters (`--set` values and defaults)

    @Test(arguments: [String(repeating: "-", count: 60_000) + "0.5", "nan", "inf", "1e309", "99999999999999999999",
                      String(repeating: "(", count: 100_000)])
    func numberParametersRefuseHostileValues(_ text: String) {
        let parameter = Parameter(name: "threshold", type: .number, defaultValue: .number(0.9), description: "d", minimum: 0, maximum: 1)
        guard case .failure(let error) = parameter.value(from: text) else {
            Issue.record("accepted \(text.prefix(40))")
            return
        }
        #expect(error.description.count < 400, "the message quotes at most a prefix of the value")
    }

    @Test func stringParametersAreBounded() {
        let parameter = Parameter(name: "unit", type: .string, defaultValue: .string("x"), description: "d")
        #expect(throws: ParameterError.self) { try parameter.value(from: String(repeating: "u", count: ParseLimits.maximumValueBytes + 1)).get() }
        #expect(throws: Never.self) { try parameter.value(from: String(repeating: "u", count: ParseLimits.maximumValueBytes)).get() }
    }

    @Test func durationParametersStateTheMaximum() {
        let parameter = Parameter(name: "settle", type: .duration, defaultValue: .number(30), description: "d")
        guard case .failure(let error) = parameter.value(from: "99999999999999999999d") else {
            Issue.record("accepted")
            return
        }
        #expect(error.description.contains("3650d"))
    }

    // MARK: Templates

    @Test func stringTemplatesAreBounded() {
        let many = (0...ParseLimits.maximumSubstitutions).map { _ in "${a}" }.joined()
        #expect(throws: TemplateError.self) { try StringTemplate.parse(many).get() }
        let long = String(repeating: "x", count: ParseLimits.maximumTemplateBytes + 1)
        #expect(throws: TemplateError.self) { try StringTemplate.parse(long).get() }
        #expect(throws: Never.self) { try StringTemplate.parse(String(many.dropFirst(4))).get() }
    }

    @Test func alertTemplatesBoundPlaceholdersAndTheRenderedValue() throws {
        let many = (0...ParseLimits.maximumSubstitutions).map { _ in "{{ .Labels.a }}" }.joined()
        #expect(throws: AlertTemplate.ParseError.self) { try AlertTemplate(parsing: many) }
        let template = try AlertTemplate(parsing: "{{ .Labels.a }}{{ .Labels.a }}{{ .Labels.a }}{{ .Labels.a }}{{ .Labels.a }}")
        let label = String(repeating: "-", count: 1000)
        #expect(throws: AlertTemplate.MissingField.self) { try template.render(labels: ["a": label], annotations: [:]).get() }
        #expect(throws: Never.self) { try template.render(labels: ["a": "0.5"], annotations: [:]).get() }
    }
}
