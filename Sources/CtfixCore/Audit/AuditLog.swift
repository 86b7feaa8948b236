import Crypto
import Foundation

/// The append-only audit log: one JSON object per line, each flushed to disk (fsync) before the
/// caller takes its next step, each carrying the SHA-256 of the previous line so an edit,
/// a deletion or a reordering breaks the chain. A head file beside the chain (`<log>.head`)
/// records the count and the last line's hash, so cutting records off the end is detected too.
///
/// "No change without its audit record first": the executor calls `append` for an action's
/// intent and only applies the action when `append` returned.
public final class AuditLog: Sendable {
    public let fileSystem: any FileSystem
    /// A host path (under the context's root) or, for `--audit-log`, a path of this machine
    /// reached through a file system rooted at `/`.
    public let path: String
    public var headPath: String { path + ".head" }
    public var lockPath: String { path + ".lock" }

    /// Where the log lives on a host unless `--audit-log` says otherwise.
    public static let defaultPath = "/var/log/ctfix/audit.jsonl"
    static let genesis = String(repeating: "0", count: 64)

    public init(fileSystem: any FileSystem, path: String = AuditLog.defaultPath) {
        self.fileSystem = fileSystem
        self.path = path
    }

    /// Appends one record and returns it once it is durably on disk.
    @discardableResult
    public func append(event: String, runID: String, time: Date, fields: [String: JSONValue] = [:]) throws(AuditError) -> AuditRecord {
        do {
            try fileSystem.createDirectory(HostPath.parent(of: path))
            guard let lock = try fileSystem.lockExclusively(lockPath, wait: .seconds(10)) else {
                throw AuditError(path: path, message: "another process holds the audit log lock for more than 10 s")
            }
            defer { withExtendedLifetime(lock) {} }
            let head = try AuditHead.read(fileSystem, headPath)
            let record = AuditRecord(seq: (head?.count ?? 0) + 1, time: time, runID: runID, event: event,
                                     fields: fields, prev: head?.lastHash ?? Self.genesis)
            let line = record.encodedLine()
            try fileSystem.appendDurably(Data((line + "\n").utf8), to: path)
            let newHead = AuditHead(count: record.seq, lastHash: Self.hash(line))
            // The record is on disk (fsynced) before the head mentions it, so the head can lag
            // after a crash but never run ahead; a lagging head still catches truncation of
            // everything it vouches for. It needs no fsync of its own.
            try fileSystem.replaceQuickly(newHead.encoded(), at: headPath)
            return record
        } catch let error as FileSystemError {
            throw AuditError(path: path, message: error.description)
        } catch let error as AuditError {
            throw error
        } catch {
            throw AuditError(path: path, message: "\(error)")
        }
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

    /// Checks the chain and the head; see `AuditVerification`.
    public func verify() throws(AuditError) -> AuditVerification {
        let text: String
        do { text = try readLog() } catch {
            throw AuditError(path: path, message: error.description)
        }
        let head: AuditHead?
        do { head = try AuditHead.read(fileSystem, headPath) } catch {
            throw AuditError(path: headPath, message: error.description)
        }
        return AuditVerification.check(text, head: head)
    }

    /// The log's text; a symlink in its place is refused like it is for appends, so
    /// `audit show` and `rollback` never act on records read from somewhere else.
    private func readLog() throws(FileSystemError) -> String {
        if fileSystem.isSymbolicLink(path) { throw FileSystemError(path: path, reason: .symbolicLink) }
        return try fileSystem.readText(path)
    }

    static func hash(_ line: String) -> String {
        SHA256.hash(data: Data(line.utf8)).map { String(format: "%02x", $0) }.joined()
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
        // Read on every append: parsed by hand, because JSONDecoder's first use in a process
        // costs more than the whole rest of the append.
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let count = object["count"] as? Int, let lastHash = object["last_hash"] as? String else {
            throw FileSystemError(path: path, reason: .io("the audit head file is not valid JSON"))
        }
        return AuditHead(count: count, lastHash: lastHash)
    }

    func encoded() -> Data {
        Data("{\"count\":\(count),\"last_hash\":\"\(lastHash)\"}\n".utf8)
    }
}
