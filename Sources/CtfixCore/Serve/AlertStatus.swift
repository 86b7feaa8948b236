import Foundation

/// `firing` or `resolved`, exactly (Alertmanager writes them lowercase). Decoding anything else
/// — `bogus`, `RESOLVED`, a number — is an error: treating an unknown status as firing would let a
/// malformed or hostile body start a run. `other` exists only for values built in code.
public enum AlertStatus: Sendable, Equatable, Codable {
    case firing, resolved, other(String)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        switch text {
        case "firing": self = .firing
        case "resolved": self = .resolved
        default:
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "status must be \"firing\" or \"resolved\", found \"\(TerminalText.escape(String(text.prefix(64))))\"")
        }
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
