import Foundation

// Lenient decoding: every field but `alerts` (and each alert's `labels`) may be missing; unknown
// fields are ignored by construction (only known keys are read).

extension WebhookPayload: Decodable {
    enum CodingKeys: String, CodingKey {
        case version, groupKey, truncatedAlerts, status, receiver, groupLabels, commonLabels
        case commonAnnotations, externalURL, alerts
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        version = try c.decodeIfPresent(String.self, forKey: .version)
        groupKey = try c.decodeIfPresent(String.self, forKey: .groupKey)
        truncatedAlerts = try c.decodeIfPresent(Int.self, forKey: .truncatedAlerts) ?? 0
        status = try c.decodeIfPresent(AlertStatus.self, forKey: .status) ?? .firing
        receiver = try c.decodeIfPresent(String.self, forKey: .receiver)
        groupLabels = try c.decodeIfPresent([String: String].self, forKey: .groupLabels) ?? [:]
        commonLabels = try c.decodeIfPresent([String: String].self, forKey: .commonLabels) ?? [:]
        commonAnnotations = try c.decodeIfPresent([String: String].self, forKey: .commonAnnotations) ?? [:]
        externalURL = try c.decodeIfPresent(String.self, forKey: .externalURL)
        alerts = try c.decode([WebhookAlert].self, forKey: .alerts)
    }
}

extension WebhookAlert: Decodable {
    enum CodingKeys: String, CodingKey {
        case status, labels, annotations, startsAt, endsAt, generatorURL, fingerprint
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let labels = try c.decode([String: String].self, forKey: .labels)
        self.init(status: try c.decodeIfPresent(AlertStatus.self, forKey: .status) ?? .firing,
                  labels: labels,
                  annotations: try c.decodeIfPresent([String: String].self, forKey: .annotations) ?? [:],
                  startsAt: try c.decodeIfPresent(String.self, forKey: .startsAt) ?? "",
                  endsAt: try c.decodeIfPresent(String.self, forKey: .endsAt),
                  generatorURL: try c.decodeIfPresent(String.self, forKey: .generatorURL),
                  fingerprint: try c.decodeIfPresent(String.self, forKey: .fingerprint).flatMap { $0.isEmpty ? nil : $0 })
    }
}
