import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension RootedFileSystem {
    public func writeAtomically(_ data: Data, to path: String, mode: Int) throws(FileSystemError) {
        try replace(data, at: path, mode: mode, durable: true)
    }

    public func replaceQuickly(_ data: Data, at path: String) throws(FileSystemError) {
        try replace(data, at: path, mode: 0o600, durable: false)
    }

    /// Temp file beside the target, rename over it; `durable` adds the fsyncs of the file and
    /// its directory. Keeps the permissions of an existing file.
    private func replace(_ data: Data, at path: String, mode: Int, durable: Bool) throws(FileSystemError) {
        let real = try resolve(path)
        let directory = HostPath.parent(of: real)
        var permissions = mode_t(mode)
        var st = stat()
        if stat(real, &st) == 0 { permissions = st.st_mode & 0o7777 }
        let temporary = "\(directory)/.\(HostPath.basename(real)).ctfix-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, permissions)
        guard fd >= 0 else { throw FileSystemError(path: path, reason: Self.reason(errno)) }
        do throws(FileSystemError) {
            try writeAll(fd, data, path: path)
            if durable, fsync(fd) != 0 { throw FileSystemError(path: path, reason: Self.reason(errno)) }
            fchmod(fd, permissions)
            close(fd)
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        KillPoint.pass("replace.before-rename \(path)")
        guard rename(temporary, real) == 0 else {
            let code = errno
            unlink(temporary)
            throw FileSystemError(path: path, reason: Self.reason(code))
        }
        if durable { syncDirectory(directory) }
    }

    public func writeInPlace(_ data: Data, to path: String) throws(FileSystemError) {
        let real = try resolve(path)
        let fd = open(real, O_WRONLY | O_TRUNC | O_CLOEXEC)
        guard fd >= 0 else { throw FileSystemError(path: path, reason: Self.reason(errno)) }
        defer { close(fd) }
        try writeAll(fd, data, path: path)
    }

    public func appendDurably(_ data: Data, to path: String) throws(FileSystemError) {
        let real = try resolve(path)
        let existed = access(real, F_OK) == 0
        let fd = open(real, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw FileSystemError(path: path, reason: Self.reason(errno)) }
        defer { close(fd) }
        try writeAll(fd, data, path: path)
        guard fsync(fd) == 0 else { throw FileSystemError(path: path, reason: Self.reason(errno)) }
        if !existed { syncDirectory(HostPath.parent(of: real)) }
    }

    public func createDirectory(_ path: String) throws(FileSystemError) {
        let real = try resolve(path)
        do {
            try FileManager.default.createDirectory(atPath: real, withIntermediateDirectories: true)
        } catch {
            throw FileSystemError(path: path, reason: .io("cannot create directory: \((error as NSError).localizedDescription)"))
        }
    }

    public func removeFile(_ path: String) throws(FileSystemError) {
        let real = try resolve(path)
        if unlink(real) != 0, errno != ENOENT { throw FileSystemError(path: path, reason: Self.reason(errno)) }
    }

    public func lockExclusively(_ path: String, wait: Duration) throws(FileSystemError) -> (any HostLockHandle)? {
        let real = try resolve(path)
        let fd = open(real, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileSystemError(path: path, reason: Self.reason(errno)) }
        let deadline = ContinuousClock.now + wait
        // Short waits are the common case (another append of the same process or a run's
        // record): poll from 1 ms, doubling up to 50 ms.
        var pause: UInt32 = 1_000
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                let code = errno
                close(fd)
                throw FileSystemError(path: path, reason: Self.reason(code))
            }
            guard ContinuousClock.now < deadline else {
                close(fd)
                return nil
            }
            usleep(pause)
            pause = min(pause * 2, 50_000)
        }
        return FlockHandle(fd: fd)
    }

    private func writeAll(_ fd: Int32, _ data: Data, path: String) throws(FileSystemError) {
        var written = 0
        while written < data.count {
            let n = data.withUnsafeBytes { raw in
                Glibc.write(fd, raw.baseAddress! + written, data.count - written)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw FileSystemError(path: path, reason: Self.reason(errno))
            }
            written += n
        }
    }

    private func syncDirectory(_ directory: String) {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }
}

/// An flock held on an open descriptor; closing it releases the lock.
final class FlockHandle: HostLockHandle {
    let fd: Int32
    init(fd: Int32) { self.fd = fd }
    deinit { close(fd) }
}
