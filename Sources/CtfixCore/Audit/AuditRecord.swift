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
            guard let date = time(from: text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad time"))
            }
            return date
        }
        return try? decoder.decode(AuditRecord.self, from: Data(line.utf8))
    }

    /// A record's `time`: as `Date.ISO8601FormatStyle` read it (records since the ICU-free
    /// writer), else as `ISO8601DateFormatter` did (older logs, more than nine fractional digits).
    static func time(from text: String) -> Date? {
        ISO8601Time.formatStyleDate(text) ?? ISO8601Time.roundedFormatterDate(text, fraction: true)
    }

    /// A record's time, `2026-11-29T04:12:07.123Z`, the millisecond truncated (a record never
    /// names an instant after its own), as Swift 6.3's `Date.ISO8601FormatStyle` wrote it; no
    /// Foundation formatter (ISO8601Time: ICU's cost at start-up, docs/benchmarks.md).
    static func timeString(_ date: Date) -> String { ISO8601Time.milliseconds(date) }
}
