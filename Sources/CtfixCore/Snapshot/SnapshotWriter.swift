import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Writes a capture into its directory (on the reviewer's side, not a host path) through the
/// directory's descriptor, opened once by `prepare`: every subdirectory is made with `mkdirat`
/// and opened `O_NOFOLLOW`, every file created `O_CREAT | O_EXCL | O_NOFOLLOW`. A symlink or a
/// file planted in the directory after `prepare` checked it (a race another user of a shared
/// directory could win) therefore makes that one write fail; it can never redirect it.
final class SnapshotWriter {
    let directory: URL
    private let fd: Int32
    private(set) var filesWritten = 0

    init(directory: URL, descriptor: Int32) {
        self.directory = directory
        self.fd = descriptor
    }

    deinit { close(fd) }

    func writeFile(_ data: Data, at hostPath: String) throws(SnapshotError) {
        var components = try Self.components(hostPath)
        guard let name = components.popLast() else { throw SnapshotError("\(hostPath): not a file name") }
        let parent = try openDirectory(components, for: hostPath)
        defer { close(parent) }
        let file = openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard file >= 0 else { throw failure(hostPath, errno) }
        defer { close(file) }
        var written = 0
        while written < data.count {
            let n = data.withUnsafeBytes { write(file, $0.baseAddress! + written, data.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure(hostPath, errno)
            }
            written += n
        }
        filesWritten += 1
    }

    /// Creates a symlink (Debian's `/etc/sysctl.d/99-sysctl.conf` → `../sysctl.conf`), so a
    /// review counts the linked file once, as the host does. `target` is relative and stays
    /// inside the capture (the caller checked where it resolves).
    func writeLink(_ target: String, at hostPath: String) throws(SnapshotError) {
        var components = try Self.components(hostPath)
        guard let name = components.popLast(), !target.hasPrefix("/") else { throw SnapshotError("\(hostPath): not a relative link") }
        let parent = try openDirectory(components, for: hostPath)
        defer { close(parent) }
        guard symlinkat(target, parent, name) == 0 else { throw failure(hostPath, errno) }
        filesWritten += 1
    }

    func makeDirectory(_ hostPath: String) throws(SnapshotError) {
        close(try openDirectory(try Self.components(hostPath), for: hostPath))
    }

    /// Walks (creating) the directories under the capture's descriptor, never following a link.
    private func openDirectory(_ components: [String], for hostPath: String) throws(SnapshotError) -> Int32 {
        var current = dup(fd)
        guard current >= 0 else { throw failure(hostPath, errno) }
        for component in components {
            var next = openat(current, component, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if next < 0, errno == ENOENT {
                if mkdirat(current, component, 0o755) != 0, errno != EEXIST {
                    let code = errno
                    close(current)
                    throw failure(hostPath, code)
                }
                next = openat(current, component, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            }
            let code = errno
            close(current)
            guard next >= 0 else { throw failure(hostPath, code) }
            current = next
        }
        return current
    }

    private func failure(_ hostPath: String, _ code: Int32) -> SnapshotError {
        let target = directory.path + hostPath
        switch code {
        case EEXIST: return SnapshotError("\(target): already exists in the snapshot directory (something else writes there)")
        case ELOOP, ENOTDIR: return SnapshotError("\(target): a symbolic link or file is in the way; ctfix never writes through one")
        default: return SnapshotError("\(target): \(String(cString: strerror(code)))")
        }
    }

    private static func components(_ hostPath: String) throws(SnapshotError) -> [String] {
        let parts = hostPath.split(separator: "/").map(String.init)
        guard !parts.contains(where: { $0 == "." || $0 == ".." }) else { throw SnapshotError("\(hostPath): '.' or '..' in a captured path") }
        return parts
    }

    /// Opens DIR for a capture (creating it when missing) and refuses what could let someone
    /// else steer the writes: DIR itself a symlink, not a directory, not empty, owned by
    /// someone other than root or the invoking user (`SUDO_UID` under sudo), or writable by
    /// group or others.
    static func prepare(_ path: String, environment: [String: String]) throws(SnapshotError) -> SnapshotWriter {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var fd = open(absolute, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        if fd < 0, errno == ENOENT {
            let parent = (absolute as NSString).deletingLastPathComponent
            try? FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
            if mkdir(absolute, 0o755) != 0, errno != EEXIST {
                throw SnapshotError("\(path): cannot create: \(String(cString: strerror(errno)))")
            }
            fd = open(absolute, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        }
        guard fd >= 0 else {
            let code = errno
            var st = stat()
            if code == ELOOP || (code == ENOTDIR && lstat(absolute, &st) == 0 && st.st_mode & S_IFMT == S_IFLNK) {
                throw SnapshotError("\(path): is a symbolic link; a snapshot goes into a real directory (name its target)")
            }
            if code == ENOTDIR { throw SnapshotError("\(path): exists and is not a directory") }
            throw SnapshotError("\(path): cannot open: \(String(cString: strerror(code)))")
        }
        do throws(SnapshotError) {
            try check(fd, path: path, invokingUser: invokingUser(environment))
        } catch {
            close(fd)
            throw error
        }
        return SnapshotWriter(directory: URL(fileURLWithPath: absolute), descriptor: fd)
    }

    /// The user ctfix acts for: the effective user, or the one sudo ran it for.
    static func invokingUser(_ environment: [String: String]) -> uid_t {
        if geteuid() == 0, let sudo = environment["SUDO_UID"].flatMap({ uid_t($0) }) { return sudo }
        return geteuid()
    }

    static func check(_ fd: Int32, path: String, invokingUser: uid_t) throws(SnapshotError) {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw SnapshotError("\(path): \(String(cString: strerror(errno)))") }
        guard st.st_uid == 0 || st.st_uid == invokingUser else {
            throw SnapshotError("\(path): owned by uid \(st.st_uid), not by root or the invoking user (uid \(invokingUser)); another user could plant links in it")
        }
        guard st.st_mode & 0o022 == 0 else {
            throw SnapshotError("\(path): writable by group or others (mode \(String(st.st_mode & 0o7777, radix: 8))); use a private directory (chmod go-w)")
        }
        let listing = dup(fd)
        guard listing >= 0, let stream = fdopendir(listing) else { throw SnapshotError("\(path): cannot list") }
        defer { closedir(stream) }
        var count = 0
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
            if name != "." && name != ".." { count += 1 }
        }
        guard count == 0 else {
            throw SnapshotError("\(path): not empty (\(count) entries); a snapshot goes into a new or empty directory")
        }
    }
}

/// Why a snapshot could not be taken.
public struct SnapshotError: Error, Sendable, CustomStringConvertible, LocalizedError {
    public var message: String
    init(_ message: String) { self.message = message }
    public var description: String { message }
    public var errorDescription: String? { message }
}
