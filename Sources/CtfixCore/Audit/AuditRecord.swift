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

    func encodedLine() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(AuditRecord.timeFormatter.string(from: date))
        }
        let data = (try? encoder.encode(self)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    static func decode(_ line: String) -> AuditRecord? {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let date = AuditRecord.timeFormatter.date(from: text) ?? ISO8601DateFormatter().date(from: text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad time"))
            }
            return date
        }
        return try? decoder.decode(AuditRecord.self, from: Data(line.utf8))
    }

    nonisolated(unsafe) static let timeFormatter: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }()
}

/// What `ctfix audit verify` found.
public struct AuditVerification: Sendable, Codable, Equatable {
    public var ok: Bool
    public var records: Int
    /// 1-based line of the first record that breaks the chain, if any.
    public var firstBadLine: Int?
    public var problem: String?
    /// Runs with a `run_start` and no `run_end`: interrupted (killed, crashed, power loss).
    public var unfinishedRuns: [String]

    enum CodingKeys: String, CodingKey {
        case ok, records, firstBadLine = "first_bad_line", problem, unfinishedRuns = "unfinished_runs"
    }

    static func check(_ text: String, head: AuditHead?) -> AuditVerification {
        var result = AuditVerification(ok: true, records: 0, firstBadLine: nil, problem: nil, unfinishedRuns: [])
        var previousHash = AuditLog.genesis
        var open: [String] = []
        var hashes: [String] = []
        func fail(_ line: Int, _ problem: String) {
            guard result.ok else { return }
            result.ok = false
            result.firstBadLine = line
            result.problem = problem
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for (index, raw) in lines.enumerated() {
            let line = String(raw)
            if line.isEmpty {
                if index != lines.count - 1 { fail(index + 1, "empty line inside the log") }
                continue
            }
            guard let record = AuditRecord.decode(line) else {
                fail(index + 1, "not a valid audit record")
                break
            }
            result.records += 1
            if record.seq != result.records { fail(index + 1, "sequence number \(record.seq), expected \(result.records) (a record was removed or reordered)") }
            if record.prev != previousHash { fail(index + 1, "hash chain broken: the previous record was edited, removed or reordered") }
            previousHash = AuditLog.hash(line)
            hashes.append(previousHash)
            if record.event == "run_start" { open.append(record.runID) }
            if record.event == "run_end" { open.removeAll { $0 == record.runID } }
        }
        if result.ok, let head {
            if head.count > result.records {
                fail(result.records + 1, "the log ends after \(result.records) records but \(head.count) were written (truncated)")
            } else if head.count > 0, hashes[head.count - 1] != head.lastHash {
                fail(head.count, "record \(head.count), the last one the head file vouches for, was edited")
            }
        } else if result.ok, head == nil, result.records > 0 {
            result.problem = "no head file: truncation at the end cannot be ruled out"
        }
        result.unfinishedRuns = open
        return result
    }
}
