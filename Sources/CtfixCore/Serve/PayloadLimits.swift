/// How much one webhook body may carry. Alertmanager sends at most `max_alerts` alerts per
/// notification (0 = unlimited by default: set it, examples/serve/alertmanager.yml uses 100) and
/// Prometheus bounds labels far below these; the limits exist so a hostile or broken sender
/// cannot make one request cost unbounded work, audit volume or memory. A body beyond any of
/// them is answered 400 naming the place (`$.alerts[3].labels.instance`), and nothing of it
/// is audited or queued.
public struct PayloadLimits: Sendable, Equatable {
    public var maxAlerts = 1000
    public var maxLabels = 64
    /// UTF-8 bytes of a label (or annotation) name.
    public var maxNameBytes = 128
    /// UTF-8 bytes of a label value.
    public var maxLabelValueBytes = 1024
    /// UTF-8 bytes of an annotation value (descriptions and runbook links are longer).
    public var maxAnnotationValueBytes = 8192

    public init() {}

    func check(_ payload: WebhookPayload) throws(PayloadError) {
        guard payload.alerts.count <= maxAlerts else {
            throw PayloadError(message: "$.alerts: \(payload.alerts.count) alerts, more than the limit of \(maxAlerts) per body (set max_alerts in Alertmanager's webhook_config)")
        }
        for (name, map) in [("groupLabels", payload.groupLabels), ("commonLabels", payload.commonLabels)] {
            try check(map, "$.\(name)", maxValue: maxLabelValueBytes)
        }
        try check(payload.commonAnnotations, "$.commonAnnotations", maxValue: maxAnnotationValueBytes)
        for (index, alert) in payload.alerts.enumerated() {
            try check(alert.labels, "$.alerts[\(index)].labels", maxValue: maxLabelValueBytes)
            try check(alert.annotations, "$.alerts[\(index)].annotations", maxValue: maxAnnotationValueBytes)
            for (field, value) in [("startsAt", alert.startsAt), ("fingerprint", alert.fingerprint)] where value.utf8.count > maxNameBytes {
                throw PayloadError(message: "$.alerts[\(index)].\(field): \(value.utf8.count) bytes, more than the limit of \(maxNameBytes)")
            }
        }
    }

    private func check(_ map: [String: String], _ path: String, maxValue: Int) throws(PayloadError) {
        guard map.count <= maxLabels else {
            throw PayloadError(message: "\(path): \(map.count) entries, more than the limit of \(maxLabels)")
        }
        for (name, value) in map.sorted(by: { $0.key < $1.key }) {
            let shown = TerminalText.escape(String(name.prefix(64)))
            guard !name.isEmpty, name.utf8.count <= maxNameBytes else {
                throw PayloadError(message: "\(path): name \"\(shown)\" is empty or longer than \(maxNameBytes) bytes")
            }
            guard value.utf8.count <= maxValue else {
                throw PayloadError(message: "\(path).\(shown): value of \(value.utf8.count) bytes, more than the limit of \(maxValue)")
            }
        }
    }
}
