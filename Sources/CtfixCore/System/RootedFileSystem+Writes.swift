import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Every change goes through the descriptor of the target's directory, opened through the
/// root descriptor (symlinks *above* the target are followed inside the root: `/var/run` →
/// `/run`), and then names the target relative to that directory with `O_NOFOLLOW`: a
/// symlink as the last component of anything ctfix writes is refused (`.symbolicLink`),
/// dangling or not, so a planted link can neither redirect a write nor create a file
/// elsewhere.
extension RootedFileSystem {
    public func writeAtomically(_ data: Data, to path: String, mode: Int) throws(FileSystemError) {
        try replace(data, at: path, mode: mode, durable: true)
    }

    public func replaceQuickly(_ data: Data, at path: String) throws(FileSystemError) {
        try replace(data, at: path, mode: 0o600, durable: false)
    }

    public func replaceQuicklyIdentifying(_ data: Data, at path: String) throws(FileSystemError) -> FileIdentity? {
        try replace(data, at: path, mode: 0o600, durable: false)
    }

    /// What is under the name now (`fstatat` with `AT_SYMLINK_NOFOLLOW` in its directory,
    /// opened through the root); nil when nothing is.
    public func identity(of path: String) throws(FileSystemError) -> FileIdentity? {
        let (directory, name) = try openParent(path)
        defer { close(directory) }
        var st = stat()
        guard fstatat(directory, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else {
            if errno == ENOENT { return nil }
            throw FileSystemError(path: path, reason: Self.reason(errno))
        }
        return FileIdentity(st)
    }

    /// The directory of a host path, opened for `*at` calls and fsync, and the last component.
    func openParent(_ path: String) throws(FileSystemError) -> (fd: Int32, name: String) {
        let normalized = try HostPath.normalize(path)
        let name = HostPath.basename(normalized)
        guard !name.isEmpty else { throw FileSystemError(path: path, reason: .invalidPath("names the root itself")) }
        let fd = try openDescriptor(HostPath.parent(of: normalized), flags: O_RDONLY | O_DIRECTORY)
        return (fd, name)
    }

    /// Temp file beside the target (`O_CREAT | O_EXCL | O_NOFOLLOW`), `renameat` over it;
    /// `durable` adds the fsyncs of the file and its directory. Keeps the permissions of an
    /// existing file. The target must not be a symlink. Returns the identity of the new file
    /// after the rename, from its descriptor (kept open until then), nil when fstat fails.
    @discardableResult
    private func replace(_ data: Data, at path: String, mode: Int, durable: Bool) throws(FileSystemError) -> FileIdentity? {
        let (directory, name) = try openParent(path)
        defer { close(directory) }
        var permissions = mode_t(mode)
        var st = stat()
        if fstatat(directory, name, &st, AT_SYMLINK_NOFOLLOW) == 0 {
            guard st.st_mode & S_IFMT != S_IFLNK else { throw FileSystemError(path: path, reason: .symbolicLink) }
            guard st.st_mode & S_IFMT == S_IFREG else { throw FileSystemError(path: path, reason: .notAFile) }
            permissions = st.st_mode & 0o7777
        }
        let temporary = ".\(name).ctfix-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = openat(directory, temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, permissions)
        guard fd >= 0 else { throw FileSystemError(path: path, reason: Self.reason(errno)) }
        do throws(FileSystemError) {
            try writeAll(fd, data, path: path)
            if durable, fsync(fd) != 0 { throw FileSystemError(path: path, reason: Self.reason(errno)) }
            fchmod(fd, permissions)
        } catch {
            close(fd)
            unlinkat(directory, temporary, 0)
            throw error
        }
        defer { close(fd) }
        KillPoint.pass("replace.before-rename \(path)")
        // renameat replaces a name; it never follows a symlink that appeared there meanwhile.
        guard renameat(directory, temporary, directory, name) == 0 else {
            let code = errno
            unlinkat(directory, temporary, 0)
            throw FileSystemError(path: path, reason: Self.reason(code))
        }
        if durable { fsync(directory) }
        return FileIdentity(descriptor: fd)
    }

    /// Opened without `O_TRUNC` and non-blocking (a planted FIFO with no reader fails at
    /// once instead of hanging the run), judged by `requireOwnFile`, then cut with `ftruncate`
    /// (what `O_TRUNC` does, also on procfs and sysfs) and written.
    public func writeInPlace(_ data: Data, to path: String) throws(FileSystemError) {
        let fd = try openDescriptor(path, flags: O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
        defer { close(fd) }
        try requireOwnFile(fd, path: path)
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        guard ftruncate(fd, 0) == 0 else { throw FileSystemError(path: path, reason: Self.reason(errno)) }
        try writeAll(fd, data, path: path)
    }

    public func appendDurably(_ data: Data, to path: String) throws(FileSystemError) {
        _ = try appendDurablyIdentifying(data, to: path)
    }

    /// The identity is taken from the descriptor written through, after the fsync: the file
    /// as this append left it, whatever is renamed over the name afterwards.
    public func appendDurablyIdentifying(_ data: Data, to path: String) throws(FileSystemError) -> FileIdentity? {
        let (directory, name) = try openParent(path)
        defer { close(directory) }
        var created = true
        var fd = openat(directory, name, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        if fd < 0, errno == EEXIST {
            created = false
            fd = openat(directory, name, O_WRONLY | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        }
        guard fd >= 0 else { throw FileSystemError(path: path, reason: Self.writeReason(errno)) }
        defer { close(fd) }
        try requireOwnFile(fd, path: path)
        try writeAll(fd, data, path: path)
        guard fsync(fd) == 0 else { throw FileSystemError(path: path, reason: Self.reason(errno)) }
        if created { fsync(directory) }
        return FileIdentity(descriptor: fd)
    }

    /// Creates the directory and its parents one component at a time with `mkdirat`, each
    /// relative to its parent's descriptor opened through the root, so no step can follow a
    /// symlink out of the root.
    public func createDirectory(_ path: String) throws(FileSystemError) {
        let normalized = try HostPath.normalize(path)
        if let fd = try? openDescriptor(normalized, flags: O_PATH | O_DIRECTORY) {
            close(fd)
            return
        }
        var prefix = ""
        for component in normalized.split(separator: "/") {
            let parent = prefix.isEmpty ? "/" : prefix
            prefix += "/" + component
            if let fd = try? openDescriptor(prefix, flags: O_PATH | O_DIRECTORY) {
                close(fd)
                continue
            }
            let directory = try openDescriptor(parent, flags: O_PATH | O_DIRECTORY)
            defer { close(directory) }
            if mkdirat(directory, String(component), 0o755) != 0, errno != EEXIST {
                throw FileSystemError(path: path, reason: Self.reason(errno))
            }
            // A name that existed but did not open as a directory (a file, a link to nowhere).
            let check = try openDescriptor(prefix, flags: O_PATH | O_DIRECTORY)
            close(check)
        }
    }

    public func removeFile(_ path: String) throws(FileSystemError) {
        let (directory, name) = try openParent(path)
        defer { close(directory) }
        if unlinkat(directory, name, 0) != 0, errno != ENOENT { throw FileSystemError(path: path, reason: Self.reason(errno)) }
    }

    public func lockExclusively(_ path: String, wait: Duration) throws(FileSystemError) -> (any HostLockHandle)? {
        let (directory, name) = try openParent(path)
        let fd = openat(directory, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0o644)
        let openError = errno
        close(directory)
        guard fd >= 0 else { throw FileSystemError(path: path, reason: Self.writeReason(openError)) }
        do throws(FileSystemError) { try requireRegularFile(fd, path: path) } catch {
            close(fd)
            throw error
        }
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

    /// ELOOP from an `O_NOFOLLOW` open means the last component is a symlink.
    static func writeReason(_ code: Int32) -> FileSystemError.Reason {
        code == ELOOP ? .symbolicLink : reason(code)
    }

    /// A FIFO or device where a log or lock file should be is refused, not written to.
    private func requireRegularFile(_ fd: Int32, path: String) throws(FileSystemError) {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw FileSystemError(path: path, reason: Self.reason(errno)) }
        guard st.st_mode & S_IFMT == S_IFREG else { throw FileSystemError(path: path, reason: .notAFile) }
    }

    /// What a write that keeps the file (append, truncate, in-place) may write into: a regular
    /// file with no other name. A hard link planted in a root someone else can write (a copy of
    /// a host in a user's directory, an unpacked snapshot) may be `/etc/shadow`'s other name;
    /// renames are not affected (they replace the name, never the linked file).
    func requireOwnFile(_ fd: Int32, path: String) throws(FileSystemError) {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw FileSystemError(path: path, reason: Self.reason(errno)) }
        guard st.st_mode & S_IFMT == S_IFREG else { throw FileSystemError(path: path, reason: .notAFile) }
        guard st.st_nlink <= 1 else { throw FileSystemError(path: path, reason: .hardLinked(Int(st.st_nlink))) }
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
}

/// An flock held on an open descriptor; closing it releases the lock.
final class FlockHandle: HostLockHandle {
    let fd: Int32
    init(fd: Int32) { self.fd = fd }
    deinit { close(fd) }
}
