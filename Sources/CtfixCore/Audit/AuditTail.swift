import Crypto
import Foundation

/// The end of the audit log, read backwards from its last byte: what the next append chains
/// to. The chain is derived from the log itself, never from the head file, so a process killed
/// between appending a record and updating the head cannot make the next append reuse a
/// sequence number or a hash.
struct AuditTail: Sendable {
    /// The last complete record: its sequence number, the SHA-256 of its line, and its `prev`.
    struct Last: Sendable, Equatable {
        var seq: Int
        var hash: String
        var prev: String
    }

    /// Bytes at the end of the log that are no complete record: a write cut off by a kill or a
    /// crash (no line end), or a last line that does not parse as a record.
    struct Torn: Sendable, Equatable {
        var offset: Int64
        var bytes: [UInt8]
        var reason: String
        /// SHA-256 of the last complete line when it is part of the torn bytes (so a caller can
        /// tell an edited record the head vouches for from a cut-off write).
        var lineHash: String?
    }

    var size: Int64
    var last: Last?
    var torn: Torn?

    static let empty = AuditTail(size: 0, last: nil, torn: nil)

    /// Reads at most the last three lines (16 KiB at a time): cost independent of the log's length.
    static func read(_ fileSystem: any FileSystem, _ path: String) throws(AuditError) -> AuditTail {
        let reader: any RandomAccessReader
        do { reader = try fileSystem.openForReading(path) } catch {
            if case .notFound = error.reason { return .empty }
            throw AuditError(path: path, message: error.reasonText)
        }
        let size = reader.size
        var start = size
        var buffer: [UInt8] = []
        var newlines = 0
        // Three line ends: the last complete line's end and start, and the start of the one
        // before it (needed when the last complete line itself is set aside).
        while start > 0, newlines < 3 {
            let count = Int(min(16384, start))
            start -= Int64(count)
            let chunk: [UInt8]
            do { chunk = try reader.read(at: start, count: count) } catch {
                throw AuditError(path: path, message: error.reasonText)
            }
            guard chunk.count == count else { throw AuditError(path: path, message: "the log shrank while it was read") }
            newlines += chunk.reduce(0) { $1 == 10 ? $0 + 1 : $0 }
            buffer = chunk + buffer
        }
        return try parse(buffer, startingAt: start, size: size, path: path)
    }

    /// `buffer` holds the log's bytes from `start` to its end.
    static func parse(_ buffer: [UInt8], startingAt start: Int64, size: Int64, path: String) throws(AuditError) -> AuditTail {
        let ends = buffer.indices.filter { buffer[$0] == 10 }
        var tail = AuditTail(size: size, last: nil, torn: nil)
        var tornStart: Int?
        var reason = ""
        if ends.last != buffer.count - 1, !buffer.isEmpty {
            tornStart = ends.last.map { $0 + 1 } ?? 0
            reason = "\(buffer.count - tornStart!) bytes without a line end: a record whose write was cut off (kill, crash or full disk)"
        }
        /// The line ending at `ends[index]`; nil when its start is before the buffer.
        func line(_ index: Int) -> Range<Int>? {
            if index > 0 { return (ends[index - 1] + 1)..<ends[index] }
            return start == 0 ? 0..<ends[index] : nil
        }
        var index = ends.count - 1
        guard index >= 0 else {
            tail.torn = tornStart.map { Torn(offset: start + Int64($0), bytes: Array(buffer[$0...]), reason: reason, lineHash: nil) }
            return tail
        }
        guard let lastLine = line(index) else { throw AuditError(path: path, message: "cannot find the last record's start") }
        var lineHash: String?
        if let last = Self.last(of: Array(buffer[lastLine])) {
            tail.last = last
        } else {
            lineHash = AuditLog.hash(bytes: Array(buffer[lastLine]))
            let cutOff = tornStart.map { " (followed by \(buffer.count - $0) bytes without a line end)" } ?? ""
            tornStart = lastLine.lowerBound
            reason = "the last line is not a complete audit record" + cutOff
            index -= 1
            if index >= 0 {
                guard let previous = line(index), let last = Self.last(of: Array(buffer[previous])) else {
                    throw AuditError(path: path, message: "the last two lines are not audit records: the log is damaged, not cut off by a crash; run 'ctfix audit verify' and move the log aside to start a new one")
                }
                tail.last = last
            }
        }
        if let tornStart {
            tail.torn = Torn(offset: start + Int64(tornStart), bytes: Array(buffer[tornStart...]), reason: reason, lineHash: lineHash)
        }
        return tail
    }

    /// The chain fields of one line, parsed without JSONDecoder (its first use in a process
    /// costs more than the whole rest of an append); nil when it is no record.
    static func last(of line: [UInt8]) -> Last? {
        guard !line.isEmpty,
              let object = JSONValue.parse(line), case .object = object,
              let seq = object["seq"]?.integerValue, let prev = object["prev"]?.stringValue,
              object["event"]?.stringValue != nil, object["run_id"]?.stringValue != nil else { return nil }
        return Last(seq: seq, hash: AuditLog.hash(bytes: line), prev: prev)
    }
}
