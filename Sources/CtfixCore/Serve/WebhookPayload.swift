import Foundation

/// The body Alertmanager POSTs to a `webhook_config` receiver (payload `version: "4"`, the
/// `notify/webhook` package). Decoded leniently: Alertmanager adds fields over time
/// (`truncatedAlerts`, `notification_reason`…), other senders leave some out, and neither may
/// stop an alert from being handled. Only `alerts` is required.
public struct WebhookPayload: Sendable, Equatable {
    public var version: String?
    public var groupKey: String?
    public var truncatedAlerts: Int
    public var status: AlertStatus
    public var receiver: String?
    public var groupLabels: [String: String]
    public var commonLabels: [String: String]
    public var commonAnnotations: [String: String]
    public var externalURL: String?
    public var alerts: [WebhookAlert]

    public init(version: String? = "4", groupKey: String? = nil, truncatedAlerts: Int = 0, status: AlertStatus = .firing,
                receiver: String? = nil, groupLabels: [String: String] = [:], commonLabels: [String: String] = [:],
                commonAnnotations: [String: String] = [:], externalURL: String? = nil, alerts: [WebhookAlert]) {
        self.version = version
        self.groupKey = groupKey
        self.truncatedAlerts = truncatedAlerts
        self.status = status
        self.receiver = receiver
        self.groupLabels = groupLabels
        self.commonLabels = commonLabels
        self.commonAnnotations = commonAnnotations
        self.externalURL = externalURL
        self.alerts = alerts
    }

    /// Decodes a request body; a malformed one is a `PayloadError` naming the place.
    public static func decode(_ data: Data, limits: PayloadLimits = PayloadLimits()) throws(PayloadError) -> WebhookPayload {
        try StrictJSON.validate(data)
        do {
            let payload = try JSONDecoder().decode(WebhookPayload.self, from: data)
            try limits.check(payload)
            return payload
        } catch let error as PayloadError {
            throw error
        } catch let error as DecodingError {
            if case .dataCorrupted(let context) = error, context.codingPath.isEmpty {
                throw PayloadError(message: PayloadError.syntaxError(in: data))
            }
            throw PayloadError(error)
        } catch {
            throw PayloadError(message: "\(error)")
        }
    }
}
