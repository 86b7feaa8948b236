import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension RootedFileSystem {
    /// Truncates a regular file with no other name (never through a symlink as the last
    /// component, never a hard link, FIFO or device: see `requireOwnFile`) and fsyncs it,
    /// so the cut is on disk before the caller appends after it.
    public func truncateFile(_ path: String, toLength length: Int64) throws(FileSystemError) {
        // Non-blocking: a FIFO planted at the name fails at once instead of waiting for a reader.
        let fd = try openDescriptor(path, flags: O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
        defer { close(fd) }
        try requireOwnFile(fd, path: path)
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw FileSystemError(path: path, reason: Self.reason(errno)) }
        guard length >= 0, length <= Int64(st.st_size) else {
            throw FileSystemError(path: path, reason: .io("cannot truncate \(st.st_size) bytes to \(length)"))
        }
        guard ftruncate(fd, off_t(length)) == 0, fsync(fd) == 0 else {
            throw FileSystemError(path: path, reason: Self.reason(errno))
        }
    }
}
