import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension PlaybookTrust {
    /// Why a playbook file could not be read.
    public enum ReadError: Error, Sendable, Equatable {
        case notFound
        case notAFile
        case unreadable(String)
        case untrusted(Violation)
    }

    /// Reads a playbook through one chain of file descriptors, so what is judged is what is
    /// loaded: walks from `/` with `openat(O_NOFOLLOW)`, `fstat`s every directory on the way
    /// and the file itself, and reads the content from the very descriptor that was judged.
    /// Nothing is resolved as a path string and opened again later.
    ///
    /// Symbolic links are followed, as sudo does: the link's target is walked the same way, so
    /// the file reached and every directory of its resolved path are judged (a trusted link to
    /// a file in `/tmp` is refused). `..` goes back to the directory the walk came from; every
    /// directory the walk passes through is judged, even one it then leaves by `..`.
    /// A missing file is reported before an untrusted directory (`no such file` is the more
    /// basic news), and a FIFO or device is refused without blocking on it. A read-only mount
    /// gets no exception: it may be read-only only here (systemd's `ProtectSystem=strict` makes
    /// every path read-only for the service alone) and writable by others outside.
    public func read(_ path: String) throws(ReadError) -> Data {
        var pending = Self.components(Self.absolute(path)).reversed() as [String]
        let rootFD = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard rootFD >= 0 else { throw .unreadable("/: \(String(cString: strerror(errno)))") }
        var stack: [(fd: Int32, path: String)] = [(rootFD, "/")]
        defer { for entry in stack { close(entry.fd) } }
        var violation = judge(fd: rootFD, path: "/", isDirectory: true)
        var links = 0

        while let name = pending.popLast() {
            if name == "." { continue }
            if name == ".." {
                if stack.count > 1 { close(stack.removeLast().fd) }
                continue
            }
            let parent = stack[stack.count - 1]
            let childPath = parent.path == "/" ? "/" + name : parent.path + "/" + name
            let isLast = pending.isEmpty
            let flags = isLast ? O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK
                : Self.pathOnly | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC
            let fd = openat(parent.fd, name, flags)
            if fd < 0 {
                let code = errno
                if code == ELOOP || code == ENOTDIR, let target = Self.linkTarget(parent.fd, name) {
                    links += 1
                    guard links <= 40 else { throw .unreadable("\(path): too many levels of symbolic links") }
                    if target.hasPrefix("/") {
                        while stack.count > 1 { close(stack.removeLast().fd) }
                    }
                    pending.append(contentsOf: Self.components(target).reversed())
                    continue
                }
                switch code {
                case ENOENT, ENOTDIR: throw .notFound
                default: throw .unreadable("\(childPath): \(String(cString: strerror(code)))")
                }
            }
            if !isLast {
                stack.append((fd, childPath))
                violation = violation ?? judge(fd: fd, path: childPath, isDirectory: true)
                continue
            }
            defer { close(fd) }
            var st = stat()
            guard fstat(fd, &st) == 0 else { throw .unreadable("\(childPath): \(String(cString: strerror(errno)))") }
            guard st.st_mode & S_IFMT == S_IFREG else { throw .notAFile }
            if let violation = violation ?? judge(path: childPath, isDirectory: false,
                                                 mode: UInt32(st.st_mode), owner: UInt32(st.st_uid)) {
                throw .untrusted(violation)
            }
            return try Self.readAll(fd, childPath)
        }
        throw .notAFile // the path named a directory (`/`, `dir/.`)
    }

    private func judge(fd: Int32, path: String, isDirectory: Bool) -> Violation? {
        var st = stat()
        // Fail closed: a descriptor that cannot be examined is not trusted.
        guard fstat(fd, &st) == 0 else { return enforced ? .init(path: path, isDirectory: isDirectory, problem: .owner(uid: .max)) : nil }
        return judge(path: path, isDirectory: isDirectory, mode: UInt32(st.st_mode), owner: UInt32(st.st_uid))
    }

    /// `O_PATH` where the platform has it: a directory is walked through without needing read
    /// permission on it (a non-root caller may search a directory it cannot list).
    private static var pathOnly: Int32 {
        #if os(Linux)
        return O_PATH // RootDescriptor.swift: Glibc's module does not export it
        #else
        return O_RDONLY
        #endif
    }

    private static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return "/" + path }
        return String(cString: buffer) + "/" + path
    }

    private static func components(_ path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    }

    /// The target of a symbolic link, or nil when `name` is not one.
    private static func linkTarget(_ directory: Int32, _ name: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlinkat(directory, name, &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func readAll(_ fd: Int32, _ path: String) throws(ReadError) -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .unreadable("\(path): \(String(cString: strerror(errno)))")
            }
            if n == 0 { return data }
            data.append(contentsOf: buffer[..<n])
        }
    }
}
