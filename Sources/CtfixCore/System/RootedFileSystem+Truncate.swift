import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension RootedFileSystem {
    /// Truncates a regular file (never through a symlink as the last component) and fsyncs it,
    /// so the cut is on disk before the caller appends after it.
    public func truncateFile(_ path: String, toLength length: Int64) throws(FileSystemError) {
        let fd = try openDescriptor(path, flags: O_WRONLY | O_NOFOLLOW | O_CLOEXEC)
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw FileSystemError(path: path, reason: Self.reason(errno)) }
        guard st.st_mode & S_IFMT == S_IFREG else { throw FileSystemError(path: path, reason: .notAFile) }
        guard length >= 0, length <= Int64(st.st_size) else {
            throw FileSystemError(path: path, reason: .io("cannot truncate \(st.st_size) bytes to \(length)"))
        }
        guard ftruncate(fd, off_t(length)) == 0, fsync(fd) == 0 else {
            throw FileSystemError(path: path, reason: Self.reason(errno))
        }
    }
}
