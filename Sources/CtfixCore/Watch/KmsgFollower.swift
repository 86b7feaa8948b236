import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Follows the live kernel ring buffer (`/dev/kmsg`, a character device): each `read()` is
/// one record `prio,seq,usec,flags;message`, `poll(2)` wakes as soon as a record is logged,
/// and sequence numbers let a restart in the same boot continue after the last record handled
/// (a new boot starts at the current end: the previous boot's lines are history).
public final class KmsgFollower {
    public let path: String
    /// Readable when a new record is there.
    public let descriptor: Int32
    /// The last record handled (or, on a first start, the last record there at start).
    public private(set) var lastSequence: UInt64?
    /// Records overwritten before they were read (EPIPE), to say so.
    public private(set) var overwrittenNotices = 0
    /// On a first start, the records that were already there (oldest first): history, handed
    /// out only to a `--lookback` that asks for them (`takeBacklog`).
    private var backlog: [String] = []

    /// Opens the device; resumes after `resumeAfter` (same boot). Without it (a first start),
    /// reads what the ring buffer holds now to learn the last sequence number, keeps those
    /// records as `backlog`, and continues after them.
    public convenience init(path: String, resumeAfter: UInt64?) throws(FileSystemError) {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw FileSystemError(path: path, reason: KmsgErrors.reason(errno)) }
        self.init(descriptor: fd, path: path, resumeAfter: resumeAfter)
    }

    /// Takes over a descriptor of the device opened through a root
    /// (`FileSystem.openReadDescriptor`); `path` names it in messages.
    public init(descriptor fd: Int32, path: String, resumeAfter: UInt64?) {
        self.path = path
        descriptor = fd
        lastSequence = resumeAfter
        if resumeAfter == nil { backlog = readNewLines() }
    }

    deinit { close(descriptor) }

    /// The records that were in the ring buffer at a first start, once (then forgotten).
    public func takeBacklog() -> [String] {
        defer { backlog = [] }
        return backlog
    }

    /// The records logged since the last call, as kmsg lines (without dictionary lines).
    public func readNewLines() -> [String] {
        var lines: [String] = []
        var record = [UInt8](repeating: 0, count: 16 << 10)
        while true {
            let count = record.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                if errno == EPIPE {
                    overwrittenNotices += 1
                    continue
                }
                break
            }
            guard count > 0 else { break }
            let text = String(decoding: record[0..<count], as: UTF8.self)
            let first = text.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? ""
            if let sequence = Self.sequence(of: first) {
                if let lastSequence, sequence <= lastSequence { continue }
                lastSequence = sequence
            }
            lines.append(first)
        }
        return lines
    }

    /// The sequence number of a record (`6,1234,5678901,-;msg` → 1234).
    static func sequence(of record: String) -> UInt64? {
        let fields = record.prefix(while: { $0 != ";" }).split(separator: ",")
        return fields.count >= 2 ? UInt64(fields[1]) : nil
    }
}
