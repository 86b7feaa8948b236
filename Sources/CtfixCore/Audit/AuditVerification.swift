import Foundation

/// What `ctfix audit verify` found. `ok` means every complete record chains to the one before
/// and the head file vouches for nothing the log lacks. What a kill or crash leaves and the next
/// ctfix invocation repairs (a torn last line, a head file one record behind) does not make the
/// log broken: it is listed in `repairable`, and `verify` itself never writes.
public struct AuditVerification: Sendable, Codable, Equatable {
    public var ok: Bool
    /// Complete records that parse.
    public var records: Int
    /// 1-based line of the first record that breaks the chain, if any.
    public var firstBadLine: Int?
    public var problem: String?
    /// Runs with a `run_start` and no `run_end`: interrupted (killed, crashed, power loss).
    public var unfinishedRuns: [String]
    /// The same runs, each with what it was doing when it stopped.
    public var interrupted: [UnfinishedRun]
    /// What the next append repairs (torn end, lagging or missing head).
    public var repairable: [String]
    /// Other observations (torn ends set aside earlier).
    public var notes: [String]

    enum CodingKeys: String, CodingKey {
        case ok, records, firstBadLine = "first_bad_line", problem, unfinishedRuns = "unfinished_runs"
        case interrupted, repairable, notes
    }

    static func check(_ data: Data, head: AuditHead?, headPath: String = "the head file", tornPath: String = "the .torn file") -> AuditVerification {
        var result = AuditVerification(ok: true, records: 0, firstBadLine: nil, problem: nil, unfinishedRuns: [],
                                       interrupted: [], repairable: [], notes: [])
        var previousHash = AuditLog.genesis
        var hashes: [String] = []
        var runs = UnfinishedRun.Tracker()
        func fail(_ line: Int, _ problem: String) {
            guard result.ok else { return }
            result.ok = false
            result.firstBadLine = line
            result.problem = problem
        }
        let bytes = [UInt8](data)
        var lines: [Range<Int>] = []
        var lineStart = 0
        for index in bytes.indices where bytes[index] == 10 {
            lines.append(lineStart..<index)
            lineStart = index + 1
        }
        let cutOff = bytes.count - lineStart
        var tornOffset: Int? = cutOff > 0 ? lineStart : nil
        for (index, range) in lines.enumerated() {
            let isLast = index == lines.count - 1
            let lineBytes = Array(bytes[range])
            let line = String(decoding: lineBytes, as: UTF8.self)
            guard !line.isEmpty, let record = AuditRecord.decode(line) else {
                // A last line that does not parse is what a write cut off by a kill can leave,
                // unless the head vouches for exactly that line (then it was edited).
                if isLast, head?.lastHash != AuditLog.hash(bytes: lineBytes) {
                    tornOffset = range.lowerBound
                } else {
                    fail(index + 1, line.isEmpty ? "empty line inside the log" : "not a valid audit record")
                }
                break
            }
            result.records += 1
            if record.seq != result.records { fail(index + 1, "sequence number \(record.seq), expected \(result.records) (a record was removed or reordered)") }
            if record.prev != previousHash { fail(index + 1, "hash chain broken: the previous record was edited, removed or reordered") }
            previousHash = AuditLog.hash(bytes: lineBytes)
            hashes.append(previousHash)
            runs.add(record)
        }
        if let tornOffset {
            result.repairable.append("the last \(bytes.count - tornOffset) bytes (from offset \(tornOffset)) are no complete record: a write cut off by a kill or crash; the next ctfix invocation that writes the log moves them to \(tornPath) and records audit_repair")
        }
        if result.ok, let head {
            if head.count > result.records {
                fail(result.records + 1, "the log ends after \(result.records) records but \(head.count) were written (truncated)")
            } else if head.count > 0, hashes[head.count - 1] != head.lastHash {
                fail(head.count, "record \(head.count), the last one the head file vouches for, was edited")
            } else if head.count < result.records {
                let lag = result.records - head.count
                let why = lag == 1 ? "a writer was killed between a record and its head update" : "an older head file; a cut at the end after record \(head.count) cannot be ruled out"
                result.repairable.append("\(headPath) vouches for \(head.count) of \(result.records) records (\(why)); the next ctfix invocation that writes the log rewrites it")
            }
        } else if result.ok, head == nil, result.records > 0 {
            result.problem = "no head file: truncation at the end cannot be ruled out"
        }
        result.interrupted = runs.unfinished
        result.unfinishedRuns = runs.unfinished.map(\.runID)
        return result
    }
}
