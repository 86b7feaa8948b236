import Foundation

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
