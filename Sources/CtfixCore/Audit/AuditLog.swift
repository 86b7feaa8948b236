import Crypto
import Foundation
import Synchronization

/// The append-only audit log: one JSON object per line, each flushed to disk (fsync) before the
/// caller takes its next step, each carrying the SHA-256 of the previous line so an edit,
/// a deletion or a reordering breaks the chain. A head file beside the chain (`<log>.head`)
/// records the count and the last line's hash, so cutting records off the end is detected too.
///
/// Crash consistency: the next record always chains to the last *complete line of the log*
/// (read backwards from its end), never to the head file. The head is written after the record
/// and may lag one record behind after a kill; the next append checks it against the log (a
/// head that vouches for more than the log holds, or for a different line, is tampering: the
/// append refuses) and rewrites it. A torn end (a write cut off mid-line) is moved byte-exact to
/// `<log>.torn`, the log is cut back to its last complete line, and an `audit_repair` record
/// plus a line on stderr say so: nothing is ever dropped silently.
///
/// "No change without its audit record first": the executor calls `append` for an action's
/// intent and only applies the action when `append` returned.
///
/// One instance per run: after its own append it remembers the last record and the identities
/// of the log and head it wrote (`AuditLogMemo`); its next append, under the same lock, skips
/// re-reading them when both are unchanged since, and takes the full path otherwise.
public final class AuditLog: Sendable {
    public let fileSystem: any FileSystem
    /// A host path (under the context's root) or, for `--audit-log`, a path of this machine
    /// reached through a file system rooted at `/`.
    public let path: String
    public var headPath: String { path + ".head" }
    public var lockPath: String { path + ".lock" }
    /// Where torn ends are set aside, each after a separator line naming its offset.
    public var tornPath: String { path + ".torn" }
    /// Where repair notices go (stderr), besides the `audit_repair` record.
    let warnings: any OutputSink
    /// What this instance's last append left (see `AuditLogMemo`).
    private let state = Mutex(AuditLogState())
    /// Appends that trusted the memo (for tests).
    var appendsFromMemo: Int { state.withLock { $0.appendsFromMemo } }

    /// Where the log lives on a host unless `--audit-log` says otherwise.
    public static let defaultPath = "/var/log/ctfix/audit.jsonl"
    static let genesis = String(repeating: "0", count: 64)

    public init(fileSystem: any FileSystem, path: String = AuditLog.defaultPath, warnings: any OutputSink = StandardOutputSink()) {
        self.fileSystem = fileSystem
        self.path = path
        self.warnings = warnings
    }

    /// Appends one record and returns it once it is durably on disk; repairs what a killed
    /// writer left first (see the type's documentation).
    @discardableResult
    public func append(event: String, runID: String, time: Date, fields: [String: JSONValue] = [:]) throws(AuditError) -> AuditRecord {
        do {
            let lock = try takeLock()
            defer { withExtendedLifetime(lock) {} }
            // Read under the lock: only an append holding it sets the memo.
            let memo = state.withLock { state in
                let memo = state.memo
                state.memo = nil
                return memo
            }
            let last: AuditTail.Last?
            if let memo, memo.stillHolds(in: fileSystem, logPath: path, headPath: headPath) {
                last = memo.last
                state.withLock { $0.appendsFromMemo += 1 }
            } else {
                var tail = try AuditTail.read(fileSystem, path)
                let head = try AuditHead.read(fileSystem, headPath)
                let repair = try AuditRepair.plan(tail: tail, head: head, log: self)
                if let repair {
                    tail.last = try repair.perform(on: self, after: tail.last, runID: runID, time: time).last
                }
                last = tail.last
            }
            let record = AuditRecord(seq: (last?.seq ?? 0) + 1, time: time, runID: runID, event: event,
                                     fields: fields, prev: last?.hash ?? Self.genesis)
            let written = try write(record)
            state.withLock { $0.memo = written.memo }
            return record
        } catch {
            throw auditError(error)
        }
    }

    /// `error` as the audit log's own error, naming the log.
    private func auditError(_ error: any Error) -> AuditError {
        switch error {
        case let error as AuditError: error
        case let error as FileSystemError: AuditError(path: path, message: error.description)
        default: AuditError(path: path, message: "\(error)")
        }
    }

    /// The lock beside the log. The directory is created (with its parents) only when the
    /// lock's open says it is not there: it nearly always is, and creating it costs a lookup
    /// of every component.
    private func takeLock() throws(AuditError) -> any HostLockHandle {
        do {
            var lock: (any HostLockHandle)?
            do { lock = try fileSystem.lockExclusively(lockPath, wait: .seconds(10)) } catch {
                guard error.reason == .notFound else { throw error }
                try fileSystem.createDirectory(HostPath.parent(of: path))
                lock = try fileSystem.lockExclusively(lockPath, wait: .seconds(10))
            }
            guard let lock else {
                throw AuditError(path: path, message: "another process holds the audit log lock for more than 10 s")
            }
            return lock
        } catch {
            throw auditError(error)
        }
    }

    /// A record written: the chain's new last record, and what the next append of this
    /// instance may trust (nil when the file system gives no identities).
    struct Written {
        var last: AuditTail.Last
        var memo: AuditLogMemo?
    }

    /// Appends a record after `last`, durably, then points the head at it. Kill points mark
    /// both sides of the append and the window between it and the head update.
    func write(_ record: AuditRecord) throws(FileSystemError) -> Written {
        let line = record.encodedLine()
        KillPoint.pass("audit.before-append \(record.event)")
        let logIdentity = try fileSystem.appendDurablyIdentifying(Data((line + "\n").utf8), to: path)
        KillPoint.pass("audit.appended \(record.event) (head not yet updated)")
        let hash = Self.hash(line)
        // The record is on disk (fsynced) before the head mentions it, so the head can lag
        // after a crash but never run ahead. It needs no fsync of its own.
        let headIdentity = try fileSystem.replaceQuicklyIdentifying(AuditHead(count: record.seq, lastHash: hash).encoded(), at: headPath)
        KillPoint.pass("audit.head-updated \(record.event)")
        let last = AuditTail.Last(seq: record.seq, hash: hash, prev: record.prev)
        guard let logIdentity, let headIdentity else { return Written(last: last, memo: nil) }
        return Written(last: last, memo: AuditLogMemo(last: last, log: logIdentity, head: headIdentity))
    }

    /// Every record, parsed; unparseable lines are skipped here (use `verify` to find them).
    public func records() throws(AuditError) -> [AuditRecord] {
        let text: String
        do { text = try readLog() } catch {
            if case .notFound = error.reason { return [] }
            throw AuditError(path: path, message: error.description)
        }
        return text.split(separator: "\n").compactMap { AuditRecord.decode(String($0)) }
    }

    /// Checks the chain and the head; see `AuditVerification`. Reads only: what a crash left
    /// (a torn end, a lagging head) is reported as repairable, and repaired by the next append.
    public func verify() throws(AuditError) -> AuditVerification {
        let data: Data
        do { data = try readLogData() } catch {
            throw AuditError(path: path, message: error.description)
        }
        let head: AuditHead?
        do { head = try AuditHead.read(fileSystem, headPath) } catch {
            throw AuditError(path: headPath, message: error.description)
        }
        var result = AuditVerification.check(data, head: head, headPath: headPath, tornPath: tornPath)
        if let torn = try? fileSystem.readFile(tornPath) {
            let count = torn.split(separator: 10).filter { $0.starts(with: Array("--- ctfix ".utf8)) }.count
            if count > 0 { result.notes.append("\(count) torn end(s) of killed writers were set aside in \(tornPath) (see the audit_repair records)") }
        }
        return result
    }

    /// The log's text; a symlink in its place is refused like it is for appends, so
    /// `audit show` and `rollback` never act on records read from somewhere else.
    private func readLog() throws(FileSystemError) -> String {
        String(decoding: try readLogData(), as: UTF8.self)
    }

    private func readLogData() throws(FileSystemError) -> Data {
        if fileSystem.isSymbolicLink(path) { throw FileSystemError(path: path, reason: .symbolicLink) }
        return try fileSystem.readFile(path)
    }

    static func hash(_ line: String) -> String {
        hash(bytes: Array(line.utf8))
    }

    static func hash(bytes: [UInt8]) -> String {
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in SHA256.hash(data: bytes) {
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0xf)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// The audit log could not be written or read; a real run refuses to start on it.
public struct AuditError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String
    public var description: String { "audit log \(path): \(message)" }
}

/// The count and last hash of the chain, kept beside it.
struct AuditHead: Codable, Equatable {
    var count: Int
    var lastHash: String

    enum CodingKeys: String, CodingKey { case count, lastHash = "last_hash" }

    static func read(_ fileSystem: any FileSystem, _ path: String) throws(FileSystemError) -> AuditHead? {
        // Replaced after every append: a link planted here is refused before it is read.
        if fileSystem.isSymbolicLink(path) { throw FileSystemError(path: path, reason: .symbolicLink) }
        guard fileSystem.exists(path) else { return nil }
        let data = try fileSystem.readFile(path)
        // Read on every append: parsed without Foundation, because JSONDecoder's first use in
        // a process costs more than the whole rest of the append.
        guard let object = JSONValue.parse(data), case .object = object,
              let count = object["count"]?.integerValue, let lastHash = object["last_hash"]?.stringValue else {
            throw FileSystemError(path: path, reason: .io("the audit head file is not valid JSON"))
        }
        return AuditHead(count: count, lastHash: lastHash)
    }

    func encoded() -> Data {
        Data("{\"count\":\(count),\"last_hash\":\"\(lastHash)\"}\n".utf8)
    }
}
