import Testing
@testable import CtfixCore

@Suite struct NumberExpressionTests {
    @Test(arguments: [
        ("65536", 65536.0), ("90%", 0.9), ("64MiB", 67_108_864.0), ("1_000", 1000.0),
        ("2 * (3 + 4)", 14.0), ("-5 + 10", 5.0), ("max(1, 7, 3)", 7.0), ("clamp(10, 0, 5)", 5.0),
        ("round(2.5)", 3.0), ("432000 / 2", 216000.0),
    ])
    func constants(_ text: String, _ expected: Double) throws {
        let expression = try NumberExpression(parsing: text)
        #expect(expression.constantValue == expected)
    }

    @Test func namesAreCollectedAndEvaluated() throws {
        let expression = try NumberExpression(parsing: "max(current * 2, ${floor})")
        #expect(expression.parameterReferences == ["floor"])
        #expect(expression.variableReferences == ["current"])
        #expect(try expression.evaluate(parameters: ["floor": 65536], variables: ["current": 16640]) == 65536)
        #expect(try expression.evaluate(parameters: ["floor": 65536], variables: ["current": 40000]) == 80000)
    }

    @Test(arguments: [
        ("", "empty expression", 0), ("2 +", "ends too early", 3), ("max(1", "expected ')'", 5),
        ("foo(1)", "unknown function 'foo'", 0), ("10parsecs", "unknown unit", 2), ("10 parsecs", "unexpected 'p'", 3), ("${}", "empty parameter", 2),
        ("round(1, 2)", "takes 1 argument", 0), ("3 + $x", "'$' must start", 4),
    ])
    func errorsNameTheColumn(_ text: String, _ message: String, _ offset: Int) {
        #expect {
            _ = try NumberExpression(parsing: text)
        } throws: { error in
            guard let error = error as? NumberExpression.ParseError else { return false }
            return error.message.contains(message) && error.offset == offset
        }
    }

    @Test func divisionByZeroIsAnErrorNotACrash() throws {
        let expression = try NumberExpression(parsing: "current / (cpus - cpus)")
        #expect(throws: NumberExpression.EvaluationError.self) {
            try expression.evaluate(variables: ["current": 1, "cpus": 2])
        }
        // A divisor that is a constant zero is already wrong when the playbook is validated.
        #expect(throws: NumberExpression.ParseError.self) { try NumberExpression(parsing: "current / 0") }
        #expect(throws: NumberExpression.ParseError.self) { try NumberExpression(parsing: "current / (1 - 1)") }
    }
}
