import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension FileSystem {
    /// Reads every record the kernel ring buffer holds right now from a kmsg character device
    /// (`/dev/kmsg` under this file system's root), without ever blocking.
    ///
    /// The device is not a file: each `read()` returns exactly one record, a buffer smaller
    /// than the next record fails with EINVAL, a record overwritten while reading gives EPIPE
    /// (reading goes on with the oldest one left), and the end is EAGAIN because the
    /// descriptor is non-blocking — a blocking read would wait for the next kernel message
    /// forever. Offsets mean nothing, so `openForReading`'s `pread` model does not fit; the
    /// path is still resolved by this file system (and refused if it escapes the root).
    func readKernelRecords(_ path: String, limit: Int) throws(FileSystemError) -> (bytes: [UInt8], truncated: Bool) {
        let fd = try openReadDescriptor(path)
        defer { close(fd) }
        // Records are at most 8 KiB (CONSOLE_EXT_LOG_MAX) on every kernel so far.
        var record = [UInt8](repeating: 0, count: 16 << 10)
        var bytes: [UInt8] = []
        var truncated = false
        // Bounded even if the kernel logs faster than we read.
        var attemptsLeft = 4_000_000
        while attemptsLeft > 0 {
            attemptsLeft -= 1
            let count = record.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                if bytes.count + count > limit {
                    truncated = true
                    break
                }
                bytes.append(contentsOf: record[0..<count])
                if record[count - 1] != ByteSearch.newline { bytes.append(ByteSearch.newline) }
                continue
            }
            if count == 0 { break }
            switch errno {
            case EINTR, EPIPE: continue
            case EAGAIN, EWOULDBLOCK, EINVAL: attemptsLeft = 0
            default: throw FileSystemError(path: path, reason: KmsgErrors.reason(errno))
            }
        }
        return (bytes, truncated)
    }
}

enum KmsgErrors {
    static func reason(_ code: Int32) -> FileSystemError.Reason {
        switch code {
        case ENOENT, ENOTDIR: .notFound
        case EACCES, EPERM: .permissionDenied
        default: .io(String(cString: strerror(code)))
        }
    }
}

/// A log already in memory (the records read from `/dev/kmsg`), read like a file.
final class ByteBufferReader: RandomAccessReader {
    let bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    var size: Int64 { Int64(bytes.count) }
    func read(at offset: Int64, count: Int) throws(FileSystemError) -> [UInt8] {
        let start = Int(min(max(offset, 0), size))
        let end = min(start + max(count, 0), bytes.count)
        return Array(bytes[start..<end])
    }
}
