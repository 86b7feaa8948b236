import CtfixCore
import Foundation

/// Bytes as the text of a number expression (`max(current * 2, 65536)`, `90%`, `${t}`), a
/// duration (`1h30m`) and a `--set` or alert-label value for typed parameters.
///
/// Invariants: a parse error points inside the text; an expression that parses evaluates to a
/// finite number or a stated error, and a constant one evaluates to its `constantValue`; a
/// duration is never negative and its shortest spelling reads back as the same duration; a
/// parameter value that is accepted is finite, of the parameter's type and inside its bounds;
/// an alert value is accepted only on the stricter side of the default (an alert never makes
/// a healthy host change).
enum ExpressionFuzzEntry {
    /// Values for the names an expression uses: ordinary, zero and large, so division and
    /// overflow paths are reached.
    static let values: [Double] = [3, 0, 1e300, -2.5]

    static let parameters: [Parameter] = [
        Parameter(name: "ratio", type: .number, defaultValue: .number(0.9), description: "fuzz", minimum: 0, maximum: 1,
                  fromAlerts: .above),
        Parameter(name: "count", type: .integer, defaultValue: .number(65536), description: "fuzz", minimum: 1, maximum: 1_073_741_824,
                  fromAlerts: .below),
        Parameter(name: "window", type: .duration, defaultValue: .number(900), description: "fuzz", minimum: 1, maximum: 86400,
                  fromAlerts: .below),
        Parameter(name: "unbounded", type: .number, defaultValue: .number(1), description: "fuzz"),
    ]

    static func check(_ bytes: [UInt8], _ violations: inout Violations) {
        let text = String(decoding: bytes, as: UTF8.self)
        checkExpression(text, &violations)
        checkDuration(text, &violations)
        for parameter in parameters { checkParameter(parameter, text, &violations) }
    }

    static func checkExpression(_ text: String, _ violations: inout Violations) {
        let expression: NumberExpression
        do {
            expression = try NumberExpression(parsing: text)
        } catch {
            violations.expect(error.offset >= 0 && error.offset <= text.count,
                              "parse error offset \(error.offset) outside the text (\(text.count) characters): \(error.message)")
            violations.expect(!error.message.isEmpty, "parse error without a message")
            return
        }
        for value in values {
            let names = { (set: Set<String>) in Dictionary(uniqueKeysWithValues: set.map { ($0, value) }) }
            do {
                let result = try expression.evaluate(parameters: names(expression.parameterReferences),
                                                     variables: names(expression.variableReferences))
                violations.expect(result.isFinite, "\(quoted(text)) evaluated to \(result) with names = \(value)")
            } catch {
                violations.expect(!error.message.isEmpty, "evaluation error without a message")
            }
        }
        if expression.parameterReferences.isEmpty, expression.variableReferences.isEmpty {
            let evaluated = try? expression.evaluate()
            violations.expect(evaluated?.bitPattern == expression.constantValue?.bitPattern || (evaluated?.isNaN == true && expression.constantValue?.isNaN == true),
                              "constantValue \(String(describing: expression.constantValue)) differs from evaluate() \(String(describing: evaluated))")
        }
    }

    static func checkDuration(_ text: String, _ violations: inout Violations) {
        guard let duration = DurationText.parse(text) else { return }
        violations.expect(duration >= .zero, "duration \(quoted(text)) parsed as negative \(duration)")
        let spelled = DurationText.format(duration)
        violations.expect(DurationText.parse(spelled) == duration,
                          "duration \(quoted(text)) = \(duration) is spelled \(quoted(spelled)), which reads back as \(String(describing: DurationText.parse(spelled)))")
    }

    static func checkParameter(_ parameter: Parameter, _ text: String, _ violations: inout Violations) {
        if case .success(let value) = parameter.value(from: text) {
            checkAccepted(parameter, text, value, "--set", &violations)
        }
        if case .success(let value) = AlertParameterPolicy.check(text, for: parameter, name: parameter.name) {
            checkAccepted(parameter, text, value, "alert value", &violations)
            guard let number = value.number, let base = parameter.defaultValue.number, let direction = parameter.fromAlerts else {
                return violations.fail("alert value \(quoted(text)) accepted for \(parameter.name) without a number or direction")
            }
            violations.expect(direction == .above ? number >= base : number <= base,
                              "alert value \(quoted(text)) = \(number) loosens \(parameter.name) (default \(base), stricter \(direction))")
        }
    }

    static func checkAccepted(_ parameter: Parameter, _ text: String, _ value: ParameterValue, _ what: String,
                              _ violations: inout Violations) {
        guard let number = value.number else {
            return violations.fail("\(what) \(quoted(text)) for \(parameter.type.rawValue) parameter \(parameter.name) is not a number: \(value)")
        }
        violations.expect(number.isFinite, "\(what) \(quoted(text)) accepted for \(parameter.name) as \(number)")
        if let minimum = parameter.minimum {
            violations.expect(number >= minimum, "\(what) \(quoted(text)) = \(number) accepted below the minimum \(minimum) of \(parameter.name)")
        }
        if let maximum = parameter.maximum {
            violations.expect(number <= maximum, "\(what) \(quoted(text)) = \(number) accepted above the maximum \(maximum) of \(parameter.name)")
        }
        if parameter.type == .integer {
            violations.expect(number == number.rounded(), "\(what) \(quoted(text)) = \(number) accepted for integer parameter \(parameter.name)")
        }
    }
}
