import Foundation

/// The comparison of a `value` or `ratio` predicate: `above`, `below`, both (strictly
/// between), or `equals` alone. Thresholds are `NumberExpression`s over numbers and
/// `${parameters}` only, so `above: ${usage_threshold}` follows `--set usage_threshold=80%`.
public struct ValueComparison: Sendable {
    public var above: NumberExpression?
    public var below: NumberExpression?
    public var equals: NumberExpression?
    /// Ratio thresholds read as fractions (`90%` = 0.9) and are shown as percentages.
    public var isRatio: Bool

    public static let keys = ["above", "below", "equals"]

    public init(above: NumberExpression? = nil, below: NumberExpression? = nil, equals: NumberExpression? = nil, isRatio: Bool = false) {
        self.above = above
        self.below = below
        self.equals = equals
        self.isRatio = isRatio
    }

    /// Reads `above` / `below` / `equals` from the predicate's mapping and checks that they
    /// can ever hold. `what` names the predicate in messages (`'value'`).
    public static func parse(from reader: MappingReader, what: String, isRatio: Bool, scope: inout ParseScope) -> ValueComparison? {
        let nodes = keys.map { reader.optional($0) }
        let (aboveNode, belowNode, equalsNode) = (nodes[0], nodes[1], nodes[2])
        guard aboveNode != nil || belowNode != nil || equalsNode != nil else {
            // A misspelt comparison (`abve:`) is reported as an unknown key with a did-you-mean.
            let misspelt = reader.keys.contains { key in keys.contains { editDistance(key, $0) <= 2 } }
            if !misspelt {
                scope.error(reader.node, "\(what) needs a comparison: 'above', 'below' (both for a range) or 'equals'")
            }
            return nil
        }
        if equalsNode != nil, aboveNode != nil || belowNode != nil, let key = reader.keyNode("equals") {
            scope.error(key, "'equals' cannot be combined with 'above' or 'below'; use 'equals' alone, or 'above' and 'below' for a range")
            return nil
        }
        var ok = true
        func threshold(_ node: YAMLNode?, _ key: String) -> NumberExpression? {
            guard let node else { return nil }
            guard let expression = scope.expression(node, "'\(key)'") else { ok = false; return nil }
            if isRatio { scope.shareParameters.formUnion(expression.parameterReferences) }
            if isRatio, let value = expression.constantValue {
                // An error, not a warning: a valid playbook's warnings are never shown, and
                // `above: 80` (for 80%) or `above: 900%` (for 90%) would never fire.
                let written = expression.text.trimmingCharacters(in: .whitespaces)
                if let problem = ShareText.problem(value, written: written, isPercent: written.hasSuffix("%")) {
                    scope.error(node, "a ratio threshold is a share: \(problem.message)")
                    ok = false
                }
            }
            return expression
        }
        let above = threshold(aboveNode, "above")
        let below = threshold(belowNode, "below")
        let equals = threshold(equalsNode, "equals")
        if let low = above?.constantValue, let high = below?.constantValue, low >= high, let belowNode {
            scope.error(belowNode, "'above: \(above!.text)' and 'below: \(below!.text)' leave an empty range: this predicate can never hold")
            ok = false
        }
        return ok ? ValueComparison(above: above, below: below, equals: equals, isRatio: isRatio) : nil
    }

    /// "above 90%", "between 50% and 90%", "equals 0", with thresholds as written.
    public var summaryLine: String {
        if let equals { return "equals \(equals.text)" }
        switch (above, below) {
        case let (above?, below?): return "between \(above.text) and \(below.text)"
        case let (above?, nil): return "above \(above.text)"
        case let (nil, below?): return "below \(below.text)"
        default: return "?"
        }
    }

    /// The summary with parameters replaced by their values: "above 90% (usage_threshold)".
    /// Messages show values, never `${name}`.
    public func summaryLine(parameters: [String: Double]) -> String {
        func show(_ expression: NumberExpression) -> String {
            guard expression.constantValue == nil, let number = try? expression.evaluate(parameters: parameters) else { return expression.text }
            return (isRatio ? ValueText.percent(number) : formatNumber(number)) + " (\(Self.plainText(expression)))"
        }
        if let equals { return "equals \(show(equals))" }
        switch (above, below) {
        case let (above?, below?): return "between \(show(above)) and \(show(below))"
        case let (above?, nil): return "above \(show(above))"
        case let (nil, below?): return "below \(show(below))"
        default: return "?"
        }
    }

    /// An expression's text with `${name}` written as `name`.
    /// By hand rather than with a regular expression: a dry-run must not start ICU's regex
    /// engine (its start-up is about a tenth of the dry-run's CPU).
    static func plainText(_ expression: NumberExpression) -> String {
        plainText(expression.text)
    }

    static func plainText(_ text: String) -> String {
        func isNameCharacter(_ c: Character, first: Bool) -> Bool {
            c.isASCII && (("a"..."z").contains(c) || c == "_" || (!first && ("0"..."9").contains(c)))
        }
        var result = "", rest = Substring(text)
        while let open = rest.firstRange(of: "${") {
            result += rest[..<open.lowerBound]
            let after = rest[open.upperBound...]
            var length = 0
            for c in after {
                guard isNameCharacter(c, first: length == 0) else { break }
                length += 1
            }
            let tail = after.dropFirst(length)
            if length > 0, tail.first == "}" {
                result += after.prefix(length)
                rest = tail.dropFirst()
            } else {
                result += "${"
                rest = after
            }
        }
        return result + rest
    }

    /// The outcome of comparing one value.
    public struct Outcome: Sendable, Equatable {
        public var holds: Bool
        /// "above 90%" or "not above 90%", with parameter values spelled out.
        public var text: String
        /// The threshold that decides (the lower bound of a range), for Nagios perfdata.
        public var threshold: Double
    }

    /// Compares `value`, with thresholds evaluated against `parameters`. Fails (as a reason for
    /// an unknown result) when a parameter is missing or the thresholds make no sense.
    public func evaluate(_ value: Double, parameters: [String: Double]) -> Result<Outcome, HostReadFailure> {
        func resolve(_ expression: NumberExpression?) -> Result<(Double, String)?, HostReadFailure> {
            guard let expression else { return .success(nil) }
            do {
                let number = try expression.evaluate(parameters: parameters)
                if isRatio, number < 0 {
                    return .failure(HostReadFailure(path: nil, message: "ratio threshold \(Self.plainText(expression)) = \(formatNumber(number)) is negative"))
                }
                let shown = isRatio ? ValueText.percent(number) : formatNumber(number)
                let text = expression.constantValue != nil ? expression.text : "\(shown) (\(Self.plainText(expression)))"
                return .success((number, text))
            } catch {
                return .failure(HostReadFailure(path: nil, message: "threshold \(Self.plainText(expression)): \(error.message)"))
            }
        }
        let low: (Double, String)?, high: (Double, String)?, exact: (Double, String)?
        switch (resolve(above), resolve(below), resolve(equals)) {
        case let (.success(a), .success(b), .success(e)): (low, high, exact) = (a, b, e)
        case let (.failure(error), _, _), let (_, .failure(error), _), let (_, _, .failure(error)): return .failure(error)
        }
        if let (target, text) = exact {
            let holds = abs(value - target) <= 1e-9 * max(1, abs(target))
            return .success(Outcome(holds: holds, text: holds ? "equals \(text)" : "does not equal \(text)", threshold: target))
        }
        switch (low, high) {
        case let ((a, aText)?, (b, bText)?):
            guard a < b else {
                return .failure(HostReadFailure(path: nil, message: "above \(aText) and below \(bText) leave an empty range"))
            }
            let holds = value > a && value < b
            return .success(Outcome(holds: holds, text: "\(holds ? "" : "not ")between \(aText) and \(bText)", threshold: a))
        case let ((a, aText)?, nil):
            return .success(Outcome(holds: value > a, text: "\(value > a ? "" : "not ")above \(aText)", threshold: a))
        case let (nil, (b, bText)?):
            return .success(Outcome(holds: value < b, text: "\(value < b ? "" : "not ")below \(bText)", threshold: b))
        default:
            return .failure(HostReadFailure(path: nil, message: "no comparison"))
        }
    }
}
