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
/// The root is opened once as a descriptor and every operation resolves its host path
/// relative to it in the kernel (`openat2` with `RESOLVE_IN_ROOT`), or, on kernels before 5.6,
/// by a component-by-component `O_NOFOLLOW` walk from it (see `RootDescriptor`). Symlinks
/// inside the root are followed *as the host would see them*: an absolute target, or `..`
/// climbing above the root, stays inside the root. No path string is ever resolved on this
/// machine and then reopened, so nothing swapped in between can redirect an operation.
/// Writes never follow a symlink as the last component (see `RootedFileSystem+Writes`).
public struct RootedFileSystem: FileSystem {
    /// The root directory on this machine, without a trailing slash ("" for `/`); for
    /// messages and for telling the live host from a captured one.
    public let root: String
    let descriptor: RootDescriptor

    /// How this file system resolves paths (the kernel's `openat2`, or the walk).
    public var resolution: PathResolution { descriptor.resolution }

    /// Opens `root` (default `/`). `forceWalk` (or, when nil, `CTFIX_FORCE_WALK=1` in the
    /// process environment, one variable read with getenv(3) rather than the whole environment
    /// turned into a dictionary) selects the user-space walk even where the kernel has
    /// `openat2`, so tests exercise both.
    public init(root: String = "/", forceWalk: Bool? = nil) throws(FileSystemError) {
        let absolute = root.hasPrefix("/") ? root : FileManager.default.currentDirectoryPath + "/" + root
        // The root itself is named by the operator: symlinks in it are followed, once.
        let fd = Glibc.open(absolute, O_PATH | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            throw FileSystemError(path: root, reason: code == ENOTDIR ? .invalidPath("the root is not a directory") : Self.reason(code))
        }
        let walk = forceWalk ?? Self.walkForced(getenv("CTFIX_FORCE_WALK").map { String(cString: $0) })
        descriptor = RootDescriptor(fd: fd, resolution: !walk && RootDescriptor.kernelResolves(fd) ? .kernel : .walk)
        // What the descriptor is on this machine, for messages only (never reopened).
        let real = Self.descriptorPath(fd) ?? absolute
        // The live host only when the descriptor *is* this process's `/` (same device and
        // inode): the kernel also prints "/" for the top of a detached mount (`umount -l`, a
        // descriptor passed in as `/proc/self/fd/N`), which holds some other tree.
        self.root = real == "/" && Self.isProcessRoot(fd) ? "" : real
    }

    /// True for the value `CTFIX_FORCE_WALK` must have to force the walk.
    static func walkForced(_ value: String?) -> Bool { value == "1" }

    static func isProcessRoot(_ fd: Int32) -> Bool {
        var mine = stat()
        var slash = stat()
        return fstat(fd, &mine) == 0 && stat("/", &slash) == 0 && mine.st_dev == slash.st_dev && mine.st_ino == slash.st_ino
    }

    public var rootDescription: String { root.isEmpty ? "/" : root }

    /// The path on this machine that a host path resolves to right now, for handing to a
    /// program that takes a path (`journalctl --directory`). Its limits: the answer is a
    /// string, so whatever the program does with it later is resolved again by the program,
    /// outside this boundary (a rename in between is not seen). Use it only for such hand-offs
    /// and for messages; ctfix's own reads and writes go through the descriptor.
    public func realPath(of path: String) -> String? {
        guard let fd = try? openDescriptor(path, flags: O_PATH) else { return nil }
        defer { close(fd) }
        return Self.descriptorPath(fd)
    }

    /// Where a host path leads inside the root, as a host path (`/etc/sysctl.conf` for
    /// Debian's `/etc/sysctl.d/99-sysctl.conf`), and the link's own target when the last
    /// component is a symlink; nil when the path does not resolve.
    public func symlinkResolution(of path: String) -> (target: String, resolvedHostPath: String?)? {
        guard let link = try? openDescriptor(path, flags: O_PATH | O_NOFOLLOW) else { return nil }
        defer { close(link) }
        guard let target = RootDescriptor.linkTarget(link, "") else { return nil }
        guard let real = realPath(of: path) else { return (target, nil) }
        let rootReal = root.isEmpty ? "" : root
        guard real == rootReal || real.hasPrefix(rootReal + "/") || rootReal.isEmpty else { return (target, nil) }
        let host = String(real.dropFirst(rootReal.count))
        return (target, host.isEmpty ? "/" : host)
    }

    public func linkTarget(_ path: String) -> String? {
        guard let link = try? openDescriptor(path, flags: O_PATH | O_NOFOLLOW) else { return nil }
        defer { close(link) }
        return RootDescriptor.linkTarget(link, "")
    }

    public func isSymbolicLink(_ path: String) -> Bool {
        guard let fd = try? openDescriptor(path, flags: O_PATH | O_NOFOLLOW) else { return false }
        defer { close(fd) }
        var st = stat()
        return fstat(fd, &st) == 0 && st.st_mode & S_IFMT == S_IFLNK
    }

    /// Opens a host path under the root (see `RootDescriptor.open`); the caller closes it.
    /// With `O_NOFOLLOW`, a symlink as the last component fails as `.symbolicLink`.
    func openDescriptor(_ path: String, flags: Int32, mode: mode_t = 0) throws(FileSystemError) -> Int32 {
        let normalized = try HostPath.normalize(path)
        switch descriptor.open(normalized, flags: flags, mode: mode) {
        case .success(let fd): return fd
        case .failure(let error):
            if error.code == ELOOP, flags & O_NOFOLLOW != 0 { throw FileSystemError(path: path, reason: .symbolicLink) }
            throw FileSystemError(path: path, reason: Self.reason(error.code))
        }
    }

    static func descriptorPath(_ fd: Int32) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/fd/\(fd)", &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public func readFile(_ path: String) throws(FileSystemError) -> Data {
        let reader = try openReader(path)
        // procfs files report size 0: read until EOF rather than trusting st_size.
        var data = Data()
        var offset: Int64 = 0
        // A regular file's size (plus one byte, to meet the end in the first read); 16 KiB
        // chunks for procfs files, which report size 0.
        let chunkSize = reader.size > 0 ? Int(min(reader.size + 1, 65536)) : 16384
        while true {
            let chunk = try reader.read(at: offset, count: chunkSize)
            if chunk.isEmpty { break }
            data.append(contentsOf: chunk)
            offset += Int64(chunk.count)
        }
        return data
    }

    public func info(_ path: String) throws(FileSystemError) -> FileInfo? {
        let fd: Int32
        do { fd = try openDescriptor(path, flags: O_PATH) } catch {
            if error.reason == .notFound { return nil }
            throw error
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw FileSystemError(path: path, reason: Self.reason(errno)) }
        let kind: FileInfo.Kind
        switch st.st_mode & S_IFMT {
        case S_IFREG: kind = .file
        case S_IFDIR: kind = .directory
        case S_IFCHR: kind = .characterDevice
        default: kind = .other
        }
        return FileInfo(kind: kind, size: Int64(st.st_size), inode: UInt64(st.st_ino),
                        isWritable: Self.isWritable(fd))
    }

    /// `faccessat2(fd, "", W_OK, AT_EMPTY_PATH)`: the kernel's own answer for this very file
    /// (a read-only mount, a sysctl the network namespace does not own).
    static func isWritable(_ fd: Int32) -> Bool {
        let result = "".withCString {
            RawSyscall.call(SYS_faccessat2, Int(fd), $0, UnsafeRawPointer(bitPattern: Int(W_OK)), Int(AT_EMPTY_PATH))
        }
        if result == 0 { return true }
        // Kernels before 5.8 (ENOSYS) or without AT_EMPTY_PATH support (EINVAL): ask through
        // the descriptor's /proc entry, which names this very file.
        if errno == ENOSYS || errno == EINVAL { return access("/proc/self/fd/\(fd)", W_OK) == 0 }
        return false
    }

    public func listDirectory(_ path: String) throws(FileSystemError) -> [String] {
        let fd = try openDescriptor(path, flags: O_RDONLY | O_DIRECTORY)
        guard let directory = fdopendir(fd) else {
            let code = errno
            close(fd)
            throw FileSystemError(path: path, reason: Self.reason(code))
        }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    public func openForReading(_ path: String) throws(FileSystemError) -> any RandomAccessReader {
        try openReader(path)
    }

    private func openReader(_ path: String) throws(FileSystemError) -> FileDescriptorReader {
        let fd = try openDescriptor(path, flags: O_RDONLY | O_NONBLOCK)
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let code = errno
            close(fd)
            throw FileSystemError(path: path, reason: Self.reason(code))
        }
        // Regular files only: a device planted in a root (`/dev/zero` as a procfs value in an
        // unpacked snapshot) would be read for ever; `/dev/kmsg` has its own reader.
        if st.st_mode & S_IFMT != S_IFREG {
            close(fd)
            throw FileSystemError(path: path, reason: .notAFile)
        }
        return FileDescriptorReader(fd: fd, size: Int64(st.st_size), hostPath: path)
    }

    /// A read-only descriptor of a host path for readers that keep it open between reads
    /// (watch's followers); the caller closes it.
    public func openReadDescriptor(_ path: String) throws(FileSystemError) -> Int32 {
        try openDescriptor(path, flags: O_RDONLY | O_NONBLOCK)
    }

    static func reason(_ code: Int32) -> FileSystemError.Reason {
        switch code {
        case ENOENT, ENOTDIR: .notFound
        case EACCES, EPERM: .permissionDenied
        case EXDEV: .escapesRoot
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

    /// Up to `count` bytes at `offset`, fewer at the end of the file. The buffer is not
    /// zeroed first: only the bytes `pread` wrote are kept (a zeroed 64 KiB buffer per file
    /// read was a tenth of a dry-run's page faults).
    func read(at offset: Int64, count: Int) throws(FileSystemError) -> [UInt8] {
        guard count > 0 else { return [] }
        var failure: Int32 = 0
        let buffer = [UInt8](unsafeUninitializedCapacity: count) { raw, initialized in
            var got = 0
            while got < count {
                let n = pread(fd, raw.baseAddress! + got, count - got, off_t(offset + Int64(got)))
                if n < 0 {
                    if errno == EINTR { continue }
                    if errno == EAGAIN { break }
                    failure = errno
                    break
                }
                if n == 0 { break }
                got += n
            }
            initialized = failure == 0 ? got : 0
        }
        if failure != 0 { throw FileSystemError(path: hostPath, reason: RootedFileSystem.reason(failure)) }
        return buffer
    }
}
