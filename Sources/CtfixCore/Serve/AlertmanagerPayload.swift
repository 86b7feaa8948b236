import Crypto
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
    public static func decode(_ data: Data) throws(PayloadError) -> WebhookPayload {
        do {
            return try JSONDecoder().decode(WebhookPayload.self, from: data)
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

/// `firing` or `resolved`; anything else is kept as written and treated as firing.
public enum AlertStatus: Sendable, Equatable, Codable {
    case firing, resolved, other(String)

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        self = text == "firing" ? .firing : text == "resolved" ? .resolved : .other(text)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }

    public var text: String {
        switch self {
        case .firing: "firing"
        case .resolved: "resolved"
        case .other(let text): text
        }
    }
}

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
        return SHA256.hash(data: Data(text.utf8)).prefix(8).map { String(format: "%02x", $0) }.joined()
    }
}

/// Why a body is not an Alertmanager payload: the JSON error's place (line/column for syntax,
/// the field path for types) and what was wrong.
public struct PayloadError: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(message: String) { self.message = message }

    init(_ error: DecodingError) {
        func path(_ context: DecodingError.Context) -> String {
            let names = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return names.isEmpty ? "the body" : "$" + names
        }
        switch error {
        case .dataCorrupted(let context):
            let underlying = context.underlyingError.map { "\($0)" } ?? ""
            let detail = underlying.isEmpty ? context.debugDescription : Self.underlyingText(underlying, context.debugDescription)
            message = "\(path(context)): not valid JSON: \(detail)"
        case .keyNotFound(let key, let context):
            message = "\(path(context)): missing required field '\(key.stringValue)'"
        case .typeMismatch(let type, let context):
            message = "\(path(context)): expected \(Self.typeName(type)): \(context.debugDescription)"
        case .valueNotFound(let type, let context):
            message = "\(path(context)): expected \(Self.typeName(type)), found null"
        @unknown default:
            message = "\(error)"
        }
    }

    /// Where the JSON syntax breaks, as `line L, column C`. JSONDecoder on Linux does not say;
    /// JSONSerialization gives a character offset ("around character 8") or the end of the input.
    static func syntaxError(in data: Data) -> String {
        let bytes = Array(data)
        var detail = "not valid JSON"
        var offset = bytes.count
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
            detail = "not a JSON object"
            offset = 0
        } catch {
            let text = ((error as NSError).userInfo["NSDebugDescription"] as? String) ?? ""
            if let range = text.range(of: "character "), let number = Int(text[range.upperBound...].prefix { $0.isNumber }) {
                offset = min(number, bytes.count)
                detail = "not valid JSON: invalid value"
            } else if text.contains("end of file") || bytes.isEmpty {
                detail = "not valid JSON: unexpected end of the body"
            } else if !text.isEmpty {
                detail = "not valid JSON: \(text)"
            }
        }
        var line = 1, column = 1
        for byte in bytes.prefix(offset) {
            if byte == UInt8(ascii: "\n") { line += 1; column = 1 } else if byte & 0xC0 != 0x80 { column += 1 }
        }
        return "line \(line), column \(column): \(detail)"
    }

    /// Foundation's JSON errors say "around line L, column C" in their description; keep that.
    private static func underlyingText(_ underlying: String, _ debug: String) -> String {
        if let range = underlying.range(of: "NSDebugDescription=") {
            return String(underlying[range.upperBound...]).trimmingCharacters(in: CharacterSet(charactersIn: "})"))
        }
        return underlying.count < 300 ? underlying : debug
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is [Any].Type: "a list"
        case is [String: Any].Type: "an object"
        default: "\(type)"
        }
    }

    public var description: String { message }
}
