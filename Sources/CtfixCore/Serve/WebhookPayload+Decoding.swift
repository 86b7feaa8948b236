import Foundation

// Unknown fields are ignored by construction (only known keys are read); `status`, `alerts` and
// each alert's `status` and `labels` are required (an unknown or missing status is an error,
// never "firing").

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
        status = try c.decode(AlertStatus.self, forKey: .status)
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
        self.init(status: try c.decode(AlertStatus.self, forKey: .status),
                  labels: labels,
                  annotations: try c.decodeIfPresent([String: String].self, forKey: .annotations) ?? [:],
                  startsAt: try c.decodeIfPresent(String.self, forKey: .startsAt) ?? "",
                  endsAt: try c.decodeIfPresent(String.self, forKey: .endsAt),
                  generatorURL: try c.decodeIfPresent(String.self, forKey: .generatorURL),
                  fingerprint: try c.decodeIfPresent(String.self, forKey: .fingerprint).flatMap { $0.isEmpty ? nil : $0 })
    }
}
