import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The real file system, with every host path resolved under a root directory (`/` on the
/// host itself, a snapshot or an example host under `--root`).
///
/// Symlinks are followed only while they stay inside the root: a captured host whose
/// `/etc/sysctl.conf` links to `/etc/shadow` of the reviewing machine is refused.
public struct RootedFileSystem: FileSystem {
    /// The root directory on this machine, without a trailing slash ("" for `/`).
    public let root: String
    private let realRoot: String

    public init(root: String = "/") throws(FileSystemError) {
        let absolute = root.hasPrefix("/") ? root : FileManager.default.currentDirectoryPath + "/" + root
        guard let resolved = Self.realpathOf(absolute) else {
            throw FileSystemError(path: root, reason: .notFound)
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: resolved, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw FileSystemError(path: root, reason: .invalidPath("the root is not a directory"))
        }
        self.realRoot = resolved == "/" ? "" : resolved
        self.root = self.realRoot
    }

    public var rootDescription: String { root.isEmpty ? "/" : root }

    public func realPath(of path: String) -> String? {
        try? resolve(path)
    }

    /// Maps a host path to a path on this machine, refusing anything that escapes the root.
    func resolve(_ path: String) throws(FileSystemError) -> String {
        let normalized = try HostPath.normalize(path)
        let joined = root + normalized
        if root.isEmpty { return joined }
        guard let resolved = Self.realpathOf(joined) else {
            // Not there (yet): check the parent so a later create cannot escape either.
            let parent = HostPath.parent(of: joined)
            if let resolvedParent = Self.realpathOf(parent), !isInsideRoot(resolvedParent) {
                throw FileSystemError(path: path, reason: .escapesRoot)
            }
            return joined
        }
        guard isInsideRoot(resolved) else { throw FileSystemError(path: path, reason: .escapesRoot) }
        return resolved
    }

    private func isInsideRoot(_ resolved: String) -> Bool {
        resolved == realRoot || resolved.hasPrefix(realRoot + "/")
    }

    static func realpathOf(_ path: String) -> String? {
        guard let pointer = realpath(path, nil) else { return nil }
        defer { free(pointer) }
        return String(cString: pointer)
    }

    public func readFile(_ path: String) throws(FileSystemError) -> Data {
        let reader = try openReader(path)
        // procfs files report size 0: read until EOF rather than trusting st_size.
        var data = Data()
        var offset: Int64 = 0
        while true {
            let chunk = try reader.read(at: offset, count: 65536)
            if chunk.isEmpty { break }
            data.append(contentsOf: chunk)
            offset += Int64(chunk.count)
        }
        return data
    }

    public func info(_ path: String) throws(FileSystemError) -> FileInfo? {
        let real = try resolve(path)
        var st = stat()
        guard stat(real, &st) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw FileSystemError(path: path, reason: Self.reason(errno))
        }
        let kind: FileInfo.Kind
        switch st.st_mode & S_IFMT {
        case S_IFREG: kind = .file
        case S_IFDIR: kind = .directory
        case S_IFCHR: kind = .characterDevice
        default: kind = .other
        }
        return FileInfo(kind: kind, size: Int64(st.st_size), inode: UInt64(st.st_ino),
                        isWritable: access(real, W_OK) == 0)
    }

    public func listDirectory(_ path: String) throws(FileSystemError) -> [String] {
        let real = try resolve(path)
        do {
            return try FileManager.default.contentsOfDirectory(atPath: real).sorted()
        } catch {
            throw FileSystemError(path: path, reason: exists(path) ? .io("cannot list directory") : .notFound)
        }
    }

    public func openForReading(_ path: String) throws(FileSystemError) -> any RandomAccessReader {
        try openReader(path)
    }

    private func openReader(_ path: String) throws(FileSystemError) -> FileDescriptorReader {
        let real = try resolve(path)
        let fd = open(real, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw FileSystemError(path: path, reason: Self.reason(errno)) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let code = errno
            close(fd)
            throw FileSystemError(path: path, reason: Self.reason(code))
        }
        if st.st_mode & S_IFMT == S_IFDIR {
            close(fd)
            throw FileSystemError(path: path, reason: .notAFile)
        }
        return FileDescriptorReader(fd: fd, size: Int64(st.st_size), hostPath: path)
    }

    static func reason(_ code: Int32) -> FileSystemError.Reason {
        switch code {
        case ENOENT, ENOTDIR: .notFound
        case EACCES, EPERM: .permissionDenied
        default: .io(String(cString: strerror(code)))
        }
    }
}

/// A file descriptor read with `pread`, closed on release.
final class FileDescriptorReader: RandomAccessReader {
    let fd: Int32
    let size: Int64
    let hostPath: String

    init(fd: Int32, size: Int64, hostPath: String) {
        self.fd = fd
        self.size = size
        self.hostPath = hostPath
    }

    deinit { close(fd) }

    func read(at offset: Int64, count: Int) throws(FileSystemError) -> [UInt8] {
        guard count > 0 else { return [] }
        var buffer = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let n = buffer.withUnsafeMutableBytes { raw in
                pread(fd, raw.baseAddress! + got, count - got, off_t(offset + Int64(got)))
            }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN { break }
                throw FileSystemError(path: hostPath, reason: RootedFileSystem.reason(errno))
            }
            if n == 0 { break }
            got += n
        }
        buffer.removeSubrange(got...)
        return buffer
    }
}
