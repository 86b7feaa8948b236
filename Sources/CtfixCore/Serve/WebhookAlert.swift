import Crypto
import Foundation

/// One alert of a notification.
public struct WebhookAlert: Sendable, Equatable {
    public var status: AlertStatus
    public var labels: [String: String]
    public var annotations: [String: String]
    /// As Alertmanager wrote it (RFC 3339); part of the dedupe key, so kept verbatim.
    public var startsAt: String
    public var endsAt: String?
    public var generatorURL: String?
    /// Alertmanager's label fingerprint; computed from the labels when a sender leaves it out.
    public var fingerprint: String

    public init(status: AlertStatus = .firing, labels: [String: String], annotations: [String: String] = [:],
                startsAt: String, endsAt: String? = nil, generatorURL: String? = nil, fingerprint: String? = nil) {
        self.status = status
        self.labels = labels
        self.annotations = annotations
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.generatorURL = generatorURL
        self.fingerprint = fingerprint ?? WebhookAlert.fingerprint(of: labels)
    }

    /// The alert's name (`alertname` label), for messages.
    public var name: String { labels["alertname"] ?? "(no alertname)" }

    /// A stable 16-hex-digit fingerprint of a label set (sorted name=value pairs, SHA-256).
    public static func fingerprint(of labels: [String: String]) -> String {
        let text = labels.sorted { $0.key < $1.key }.map { "\($0.key)\u{1}\($0.value)" }.joined(separator: "\u{2}")
        return NumberText.hex(SHA256.hash(data: Data(text.utf8)).prefix(8))
    }
}
