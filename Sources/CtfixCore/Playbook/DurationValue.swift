/// A duration in a playbook: written (`15m`) or a duration parameter (`${window}`), so an
/// operator can widen a window with `--set window=30m` without editing the playbook.
///
/// A reference is checked where it is written (the parameter must exist and be a duration);
/// its value is checked against the key's limits when the predicate runs, because `--set`
/// may change it (the parameter's own `minimum`/`maximum` bound it first).
public enum DurationValue: Sendable, Equatable, CustomStringConvertible {
    case constant(Duration)
    case parameter(String)

    /// As written: `15m` or `${window}`.
    public var description: String {
        switch self {
        case .constant(let value): DurationText.format(value)
        case .parameter(let name): "${\(name)}"
        }
    }

    /// The duration with parameters filled in (duration parameters are held in seconds).
    public func resolve(_ parameters: [String: Double]) -> Duration? {
        switch self {
        case .constant(let value): return value
        case .parameter(let name):
            guard let seconds = parameters[name], seconds.isFinite, seconds >= 0,
                  seconds <= ParseLimits.maximumDuration.seconds else { return nil }
            return .milliseconds(Int64((seconds * 1000).rounded()))
        }
    }

    /// The resolved duration within `range`, or the sentence saying why not (for an
    /// `unknown` result naming the key).
    public func resolve(_ parameters: [String: Double], key: String, within range: ClosedRange<Duration>) -> Result<Duration, DurationOutOfRange> {
        guard let value = resolve(parameters) else {
            return .failure(DurationOutOfRange(message: "\(key): \(self) has no value"))
        }
        guard range.contains(value) else {
            return .failure(DurationOutOfRange(message: "\(key): \(self) = \(DurationText.format(value)) is outside \(DurationText.format(range.lowerBound))…\(DurationText.format(range.upperBound))"))
        }
        return .success(value)
    }

    /// The text of the reason a duration could not be used.
    public struct DurationOutOfRange: Error, Sendable, Equatable {
        public var message: String
    }
}

extension ParseScope {
    /// A duration or a `${parameter}` naming a declared duration parameter. A written value
    /// must lie in `range`; a parameter's is checked when it is resolved.
    public mutating func durationValue(_ node: YAMLNode, _ what: String, within range: ClosedRange<Duration>) -> DurationValue? {
        if case .scalar(let text, _) = node.value, text.hasPrefix("${") {
            guard text.hasSuffix("}"), text.count > 3 else {
                error(node, "\(what) must be a duration such as 30s or 15m, or a parameter such as ${window}, found '\(Parameter.shown(text))'")
                return nil
            }
            let name = String(text.dropFirst(2).dropLast())
            guard parameterNames.contains(name) else {
                error(node, "\(what) refers to undeclared parameter '\(Parameter.shown(name))'" + suggestion(name, parameterNames))
                return nil
            }
            if let type = parameterTypes[name], type != .duration {
                error(node, "\(what) refers to parameter '\(name)', a \(type.rawValue); it must be a duration parameter (type: duration)")
                return nil
            }
            return .parameter(name)
        }
        guard let value = duration(node, what, allowZero: range.lowerBound == .zero) else { return nil }
        guard range.contains(value) else {
            error(node, "\(what) must be between \(DurationText.format(range.lowerBound)) and \(DurationText.format(range.upperBound)), found \(DurationText.format(value))")
            return nil
        }
        return .constant(value)
    }
}
