/// The trust rule for playbook parameters set from alerts (docs/serve.md, "Alerts cannot loosen
/// a playbook"). Alert labels are untrusted: whoever can post to Alertmanager chooses them. A
/// value is accepted only when the playbook declares the parameter `from_alerts`, the value fits
/// the parameter's type and bounds, and it lies on the stricter side of the default (or equals
/// it): then detection with the alert's value can fire only where the playbook's defaults fire,
/// so an alert never makes a healthy host change. Checked at intake (a `refused` decision,
/// never queued) and again before the run (the playbook may have changed in between).
public enum AlertParameterPolicy {
    /// Longer rendered values are refused before any parsing.
    public static let maxValueBytes = 256

    /// The parsed value, or why it is refused (naming the parameter).
    public static func check(_ text: String, for parameter: Parameter?, name: String) -> Result<ParameterValue, Refusal> {
        guard let parameter else { return .failure(Refusal("parameter \(name): the playbook has no such parameter")) }
        guard let direction = parameter.fromAlerts else {
            return .failure(Refusal("parameter \(name): the playbook does not declare it settable from alerts (from_alerts)"))
        }
        guard text.utf8.count <= maxValueBytes else {
            return .failure(Refusal("parameter \(name): value of \(text.utf8.count) bytes, more than \(maxValueBytes)"))
        }
        let value: ParameterValue
        switch parameter.value(from: text) {
        case .success(let parsed): value = parsed
        case .failure(let error): return .failure(Refusal("\(error.description) (value \"\(TerminalText.escape(String(text.prefix(64))))\")"))
        }
        guard let number = value.number, number.isFinite, let base = parameter.defaultValue.number else {
            return .failure(Refusal("parameter \(name): not a finite number"))
        }
        let stricter = direction == .above ? number >= base : number <= base
        guard stricter else {
            return .failure(Refusal("parameter \(name): \(formatNumber(number)) would loosen detection (the playbook accepts alert values \(direction == .above ? "at or above" : "at or below") its default \(formatNumber(base)))"))
        }
        return .success(value)
    }

    public struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }
}
