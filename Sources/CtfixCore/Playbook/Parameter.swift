import Foundation

/// A playbook parameter: a named value with a default that an operator overrides with
/// `--set NAME=VALUE` (or an alert label does, under `serve`).
public struct Parameter: Sendable, Equatable {
    public enum ValueType: String, Sendable, CaseIterable {
        /// Any number; accepts `90%`, `64MiB`, `0.9`.
        case number
        case integer
        case string
        case boolean
        /// Stored as seconds.
        case duration
        /// A share of a whole: `90%` or `0.9`, between 0 and 1 (`ShareText`). A number
        /// parameter used in a ratio threshold (`ratio`, `counter` `usage`) is one too.
        case share
    }

    public var name: String
    public var type: ValueType
    public var defaultValue: ParameterValue
    public var description: String
    public var minimum: Double?
    public var maximum: Double?
    /// Non-nil when a `ctfix serve` route may set this parameter from an alert label
    /// (`from_alerts: {stricter_when: above}`); alert values are untrusted, so they are accepted
    /// only on the side of the default that makes detection stricter.
    public var fromAlerts: AlertDirection?

    /// Which values make detection stricter (fire less often) than the default: `above` for a
    /// threshold that detection must exceed, `below` for one it must fall under.
    public enum AlertDirection: String, Sendable, CaseIterable {
        case above, below
    }

    public init(name: String, type: ValueType, defaultValue: ParameterValue, description: String,
                minimum: Double? = nil, maximum: Double? = nil, fromAlerts: AlertDirection? = nil) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.description = description
        self.minimum = minimum
        self.maximum = maximum
        self.fromAlerts = fromAlerts
    }

    /// Converts text (a YAML scalar or a `--set` value) to this parameter's type, or says why not.
    public func value(from text: String) -> Result<ParameterValue, ParameterError> {
        let fail = { (why: String) in Result<ParameterValue, ParameterError>.failure(ParameterError(name: name, message: why)) }
        switch type {
        case .string:
            guard text.utf8.count <= ParseLimits.maximumValueBytes else {
                return fail("is at most \(ParseLimits.maximumValueBytes) bytes, got \(text.utf8.count)")
            }
            // A unit name, a path, an argument: a control character in one is never meant.
            guard !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
                return fail("must not contain control characters, got '\(Self.shown(text))'")
            }
            return .success(.string(text))
        case .boolean:
            switch text.lowercased() {
            case "true": return .success(.boolean(true))
            case "false": return .success(.boolean(false))
            default: return fail("expects true or false, got '\(Self.shown(text))'")
            }
        case .duration:
            let duration: Duration
            do { duration = try DurationText.checked(text) } catch {
                return fail(error.beyondLimit ? "expects a duration of at most \(ParseLimits.maximumDurationText): \(error.message), got '\(Self.shown(text))'"
                            : "expects a duration such as 30s or 15m, got '\(Self.shown(text))'")
            }
            return checkRange(duration.seconds).map { .number($0) }
        case .share:
            switch ShareText.parse(text) {
            case .success(let value): return checkRange(value).map { .number($0) }
            case .failure(let error): return fail("expects a share (90% or 0.9): \(error.message)")
            }
        case .number, .integer:
            let expression: NumberExpression
            do { expression = try NumberExpression(parsing: text) } catch {
                return fail("expects a number (such as 0.9, 90%, 64MiB): \(error.message), got '\(Self.shown(text))'")
            }
            guard let value = expression.constantValue else {
                return fail("expects a number (such as 0.9, 90%, 64MiB), got '\(Self.shown(text))'")
            }
            if type == .integer, value != value.rounded() { return fail("expects a whole number, got '\(text)'") }
            return checkRange(value).map { .number($0) }
        }
    }

    /// A value for a message: at most 40 characters, control characters escaped.
    public static func shown(_ text: String) -> String {
        let head = text.count > 40 ? String(text.prefix(40)) + "… (\(text.count) characters)" : text
        return String(head.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined())
    }

    private func checkRange(_ value: Double) -> Result<Double, ParameterError> {
        guard value.isFinite, abs(value) <= ParseLimits.maximumMagnitude else {
            return .failure(ParameterError(name: name, message: "must be a finite number within ±\(formatNumber(ParseLimits.maximumMagnitude))"))
        }
        let shown = { (number: Double) in
            switch self.type {
            case .duration: DurationText.format(.milliseconds(Int64((number * 1000).rounded())))
            case .share: ValueText.percent(number)
            default: formatNumber(number)
            }
        }
        if let minimum, value < minimum {
            return .failure(ParameterError(name: name, message: "must be at least \(shown(minimum)), got \(shown(value))"))
        }
        if let maximum, value > maximum {
            return .failure(ParameterError(name: name, message: "must be at most \(shown(maximum)), got \(shown(value))"))
        }
        return .success(value)
    }
}

/// A parameter's value.
public enum ParameterValue: Sendable, Equatable, CustomStringConvertible {
    case number(Double)
    case string(String)
    case boolean(Bool)

    public var number: Double? { if case .number(let n) = self { n } else { nil } }

    public var description: String {
        switch self {
        case .number(let n): formatNumber(n)
        case .string(let s): s
        case .boolean(let b): String(b)
        }
    }
}

/// A `--set` value that does not fit its parameter.
public struct ParameterError: Error, Sendable, Equatable, CustomStringConvertible {
    public var name: String
    public var message: String
    public var description: String { "parameter '\(name)' \(message)" }
}

/// Numbers as people read them: integers without `.0`, others with up to 4 decimals.
public func formatNumber(_ value: Double) -> String {
    if value == value.rounded(), abs(value) < 1e18 { return String(Int64(value)) }
    var text = NumberText.fixed(value, decimals: 4)
    while text.hasSuffix("0") { text.removeLast() }
    if text.hasSuffix(".") { text.removeLast() }
    return text
}
