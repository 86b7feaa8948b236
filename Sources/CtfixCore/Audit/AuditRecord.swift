import Foundation

/// One audit event. Field names are stable: `seq`, `time`, `run_id`, `event`, `prev`, and the
/// event's own fields under `data`.
public struct AuditRecord: Codable, Sendable, Equatable {
    public var seq: Int
    public var time: Date
    public var runID: String
    /// `run_start`, `evidence`, `intent`, `outcome`, `declined`, `refused`, `run_end`, …
    public var event: String
    public var fields: [String: JSONValue]
    /// SHA-256 (hex) of the previous line's bytes; 64 zeros for the first record.
    public var prev: String

    enum CodingKeys: String, CodingKey {
        case seq, time, runID = "run_id", event, fields = "data", prev
    }

    /// The line as written to the log: compact JSON, keys sorted (the same bytes JSONEncoder
    /// with `.sortedKeys` wrote; written by hand, see `JSONValue+Text.swift`).
    func encodedLine() -> String {
        let object: JSONValue = .object([
            "data": .object(fields), "event": .string(event), "prev": .string(prev),
            "run_id": .string(runID), "seq": .number(Double(seq)), "time": .string(Self.timeString(time)),
        ])
        return object.serialized()
    }

    static func decode(_ line: String) -> AuditRecord? {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let date = (try? Date(text, strategy: AuditRecord.timeStyle)) ?? AuditRecord.timeFormatter.date(from: text)
                    ?? ISO8601DateFormatter().date(from: text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad time"))
            }
            return date
        }
        return try? decoder.decode(AuditRecord.self, from: Data(line.utf8))
    }

    /// A record's time, `2026-11-29T04:12:07.123Z`: the same text as `timeFormatter`, formatted
    /// without ICU (Foundation's `ISO8601DateFormatter` opens an ICU date formatter on first
    /// use, a twentieth of a dry-run's CPU; docs/benchmarks.md).
    static func timeString(_ date: Date) -> String { timeStyle.format(date) }

    static let timeStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    nonisolated(unsafe) static let timeFormatter: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }()
}
