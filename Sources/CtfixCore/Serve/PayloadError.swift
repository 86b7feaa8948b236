import Foundation

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
