import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// What a killed writer left at the end of the audit log, and its repair by the next append:
/// a torn end is moved byte-exact to `<log>.torn` (after a separator line naming its offset),
/// the log is cut back to its last complete line, and an `audit_repair` record says what was
/// set aside and why. A head file that lags behind the log is rewritten by the append itself;
/// the repair record says so. Anything that a crash cannot explain (a head vouching for more
/// records than the log holds, or for a different line) is not repaired: the append refuses.
struct AuditRepair: Sendable {
    var torn: AuditTail.Torn?
    /// Why the head file is rewritten (it lagged, or was missing), when it is.
    var headNote: String?

    /// Decides what must be repaired before the next record; nil when nothing.
    static func plan(tail: AuditTail, head: AuditHead?, log: AuditLog) throws(AuditError) -> AuditRepair? {
        let lastSeq = tail.last?.seq ?? 0
        var headNote: String?
        let refuse = " Refusing to append: this is not what a crash leaves. Run 'ctfix audit verify'; move the log and its head aside to start a new log."
        if let head, tail.size == 0, head.count > 0 {
            // The whole log is gone (moved away or rotated without its head): nothing left to
            // protect, and refusing would stop every run. A new chain starts with a record of it.
            headNote = "the log was missing or empty but its head file vouched for \(head.count) records (last hash \(head.lastHash)): it was removed or rotated without its head; a new chain starts here"
        } else if let head {
            if head.count > lastSeq {
                throw AuditError(path: log.path, message: "the log ends at record \(lastSeq) but its head file vouches for \(head.count) records: records were cut off the end." + refuse)
            }
            if let lineHash = tail.torn?.lineHash, lineHash == head.lastHash {
                throw AuditError(path: log.path, message: "record \(head.count), which the head file vouches for, no longer parses: it was edited." + refuse)
            }
            if let last = tail.last {
                if head.count == last.seq, head.lastHash != last.hash {
                    throw AuditError(path: log.path, message: "record \(last.seq), the last one, is not the line that was written (the head file's hash differs)." + refuse)
                }
                if head.count == last.seq - 1, head.lastHash != last.prev {
                    throw AuditError(path: log.path, message: "record \(head.count) is not the line that was written (the head file's hash differs)." + refuse)
                }
                if head.count < last.seq {
                    headNote = "the head file \(log.headPath) vouched for \(head.count) of \(last.seq) records (a writer was killed between a record and its head update); rewritten from the last record"
                }
            }
        } else if tail.last != nil {
            headNote = "the head file \(log.headPath) was missing; rewritten from the last record (a cut at the end before now cannot be ruled out)"
        }
        if tail.torn == nil, headNote == nil { return nil }
        return AuditRepair(torn: tail.torn, headNote: headNote)
    }

    /// Sets the torn end aside, cuts the log, and appends the `audit_repair` record (which also
    /// rewrites the head). Returns the record written.
    func perform(on log: AuditLog, after last: AuditTail.Last?, runID: String, time: Date) throws(FileSystemError) -> AuditLog.Written {
        var fields: [String: JSONValue] = [:]
        var sentences: [String] = []
        if let torn {
            let stamp = AuditRecord.timeString(time)
            let separator = "--- ctfix \(stamp) pid \(getpid()): \(torn.bytes.count) bytes set aside from \(log.path) at offset \(torn.offset): \(torn.reason) ---\n"
            var data = Data(separator.utf8)
            data.append(contentsOf: torn.bytes)
            if torn.bytes.last != 10 { data.append(10) }
            // Set aside first, then cut: a kill in between leaves the bytes in both places (the
            // next append sets them aside again, under a second separator), never in neither.
            try log.fileSystem.appendDurably(data, to: log.tornPath)
            KillPoint.pass("audit.repair set aside")
            try log.fileSystem.truncateFile(log.path, toLength: torn.offset)
            KillPoint.pass("audit.repair truncated")
            fields["set_aside"] = .object([
                "offset": .number(Double(torn.offset)), "bytes": .number(Double(torn.bytes.count)),
                "sha256": .string(AuditLog.hash(bytes: torn.bytes)), "to": .string(log.tornPath),
                "reason": .string(torn.reason), "preview": .string(String(decoding: torn.bytes.prefix(200), as: UTF8.self)),
            ])
            sentences.append("set aside \(torn.bytes.count) bytes at offset \(torn.offset) (\(torn.reason)) to \(log.tornPath)")
        }
        if let headNote {
            fields["head"] = .string(headNote)
            sentences.append(headNote)
        }
        let message = sentences.joined(separator: "; ")
        fields["message"] = .string(message)
        log.warnings.errorLine("ctfix: audit log \(log.path) repaired: \(message); recorded as audit_repair")
        let record = AuditRecord(seq: (last?.seq ?? 0) + 1, time: time, runID: runID, event: "audit_repair",
                                 fields: fields, prev: last?.hash ?? AuditLog.genesis)
        return try log.write(record)
    }
}
