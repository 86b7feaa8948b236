import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Linux constants that Glibc's Swift module hides behind `_GNU_SOURCE` (same value on
/// every architecture Swift supports on Linux; openat2 and faccessat2 share the unified
/// syscall numbers since 5.6/5.8).
public let O_PATH: Int32 = 0o10_000_000
let SYS_openat2: Int = 437
let SYS_faccessat2: Int = 439
let AT_EMPTY_PATH: Int32 = 0x1000

/// The C library's `syscall(2)` for the two calls without a Glibc wrapper. Swift cannot call
/// a variadic C function, so it is looked up once and called through a fixed four-argument
/// type; glibc's and musl's `syscall` only move registers, which makes this call exact on
/// x86_64 and aarch64.
enum RawSyscall {
    typealias Function = @convention(c) (Int, Int, UnsafeRawPointer?, UnsafeRawPointer?, Int) -> Int

    static let function: Function? = {
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "syscall") else { return nil }
        return unsafeBitCast(symbol, to: Function.self)
    }()

    /// Calls `number` with four arguments; -1 with errno ENOSYS when there is no `syscall`.
    static func call(_ number: Int, _ a: Int, _ b: UnsafeRawPointer?, _ c: UnsafeRawPointer?, _ d: Int) -> Int {
        guard let function else {
            errno = ENOSYS
            return -1
        }
        return function(number, a, b, c, d)
    }
}

/// `struct open_how` of `linux/openat2.h`, which Glibc does not export: the argument of
/// `openat2(2)`. The layout (three u64) is fixed by the kernel ABI.
struct OpenHow {
    var flags: UInt64
    var mode: UInt64
    var resolve: UInt64
}

/// The kernel's `RESOLVE_*` flags for `openat2(2)` (linux/openat2.h).
enum ResolveFlag {
    static let noXDev: UInt64 = 0x01
    static let noMagicLinks: UInt64 = 0x02
    static let noSymlinks: UInt64 = 0x04
    static let beneath: UInt64 = 0x08
    static let inRoot: UInt64 = 0x10
}

/// How host paths are resolved under the root descriptor.
public enum PathResolution: String, Sendable {
    /// `openat2` with `RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS`: the kernel resolves the whole
    /// path, symlinks and `..` included, as if the root were `/` (Linux 5.6+).
    case kernel
    /// A component-by-component `openat(O_PATH | O_NOFOLLOW)` walk from the root descriptor,
    /// symlinks resolved by hand relative to the root, `..` clamped at the root, 40 hops at most:
    /// for kernels without `openat2` (ENOSYS) or where a sandbox forbids it.
    case walk
}

/// The root directory, opened once (`O_PATH | O_DIRECTORY`) and closed when the last
/// file system value using it is gone. Every host path is resolved relative to this
/// descriptor, never as a string on this machine, so renaming or relinking anything above
/// the root while ctfix runs cannot move the boundary.
final class RootDescriptor: Sendable {
    let fd: Int32
    let resolution: PathResolution

    init(fd: Int32, resolution: PathResolution) {
        self.fd = fd
        self.resolution = resolution
    }

    deinit { close(fd) }

    /// The largest number of symlinks followed in one path, as the kernel's MAXSYMLINKS.
    static let maximumHops = 40

    /// Opens a host path (already normalised, absolute) under the root with `flags`.
    /// `O_NOFOLLOW` in `flags` means "the last component must not be a symlink" (ELOOP, or the
    /// link itself with `O_PATH`); symlinks before it are followed, inside the root only.
    /// Returns the descriptor or the errno.
    func open(_ hostPath: String, flags: Int32, mode: mode_t = 0) -> Result<Int32, Errno> {
        if resolution == .kernel {
            let relative = hostPath == "/" ? "." : String(hostPath.dropFirst())
            var attempts = 0
            while true {
                let fd = Self.openat2(fd, relative, flags: flags | O_CLOEXEC, mode: mode,
                                      resolve: ResolveFlag.inRoot | ResolveFlag.noMagicLinks)
                if fd >= 0 { return .success(fd) }
                let code = errno
                // EAGAIN: a rename raced with `..` resolution; the kernel asks to retry.
                if code == EAGAIN || code == EINTR, attempts < 8 {
                    attempts += 1
                    continue
                }
                return .failure(Errno(code))
            }
        }
        return walk(hostPath, flags: flags, mode: mode)
    }

    static func openat2(_ directory: Int32, _ path: String, flags: Int32, mode: mode_t, resolve: UInt64) -> Int32 {
        var how = OpenHow(flags: UInt64(UInt32(bitPattern: flags)), mode: UInt64(mode), resolve: resolve)
        let result = path.withCString { pathPointer in
            withUnsafeMutablePointer(to: &how) { howPointer in
                RawSyscall.call(SYS_openat2, Int(directory), pathPointer, howPointer, MemoryLayout<OpenHow>.size)
            }
        }
        return Int32(truncatingIfNeeded: result)
    }

    /// Whether this kernel (and any seccomp filter around us) lets `openat2` resolve in a root.
    static func kernelResolves(_ rootFD: Int32) -> Bool {
        let fd = openat2(rootFD, ".", flags: O_PATH | O_CLOEXEC, mode: 0, resolve: ResolveFlag.inRoot | ResolveFlag.noMagicLinks)
        if fd >= 0 {
            close(fd)
            return true
        }
        return false
    }

    /// The fallback resolver. Each directory on the way is opened with
    /// `O_PATH | O_DIRECTORY | O_NOFOLLOW` relative to the previous one; ENOTDIR there means
    /// "a symlink or not a directory", told apart by `readlinkat`. A symlink's target replaces
    /// the component: an absolute one restarts at the root descriptor, `..` pops a directory
    /// but never the root itself. Nothing is ever looked up by a path string on this machine.
    func walk(_ hostPath: String, flags: Int32, mode: mode_t) -> Result<Int32, Errno> {
        let followLast = flags & O_NOFOLLOW == 0
        var remaining = Array(hostPath.split(separator: "/").map(String.init).reversed())
        var stack: [Int32] = []
        defer { for fd in stack { close(fd) } }
        var hops = 0
        func resetToRoot() {
            for fd in stack { close(fd) }
            stack.removeAll()
        }
        while let name = remaining.popLast() {
            let directory = stack.last ?? fd
            if name == "." { continue }
            if name == ".." {
                if let top = stack.popLast() { close(top) }
                continue
            }
            if remaining.isEmpty {
                // Opened without following; a link shows as ELOOP (or, with O_PATH, as a
                // descriptor of the link itself) and is then read and followed by hand.
                let opened = openat(directory, name, flags | O_NOFOLLOW | O_CLOEXEC, mode)
                let code = errno
                // O_DIRECTORY | O_NOFOLLOW on a link fails with ENOTDIR rather than ELOOP.
                var isLink = opened < 0 && (code == ELOOP || code == ENOTDIR)
                if opened >= 0 {
                    guard followLast, flags & O_PATH != 0 else { return .success(opened) }
                    var st = stat()
                    guard fstat(opened, &st) == 0, st.st_mode & S_IFMT == S_IFLNK else { return .success(opened) }
                    close(opened)
                    isLink = true
                }
                guard followLast, isLink else { return .failure(Errno(code)) }
                // Swapped back to a file meanwhile: look again.
                guard let target = Self.linkTarget(directory, name) else {
                    if code == ENOTDIR { return .failure(Errno(code)) }
                    hops += 1
                    guard hops <= Self.maximumHops else { return .failure(Errno(ELOOP)) }
                    remaining.append(name)
                    continue
                }
                hops += 1
                guard hops <= Self.maximumHops else { return .failure(Errno(ELOOP)) }
                if target.hasPrefix("/") { resetToRoot() }
                remaining.append(contentsOf: target.split(separator: "/").map(String.init).reversed())
                if remaining.isEmpty { break }
                continue
            }
            let opened = openat(directory, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if opened >= 0 {
                stack.append(opened)
                continue
            }
            let code = errno
            guard code == ENOTDIR || code == ELOOP, let target = Self.linkTarget(directory, name) else {
                return .failure(Errno(code))
            }
            hops += 1
            guard hops <= Self.maximumHops else { return .failure(Errno(ELOOP)) }
            if target.hasPrefix("/") { resetToRoot() }
            remaining.append(contentsOf: target.split(separator: "/").map(String.init).reversed())
        }
        // The path named a directory by ".", ".." or a link to one: open it with the flags.
        let opened = openat(stack.last ?? fd, ".", flags & ~O_NOFOLLOW | O_CLOEXEC, mode)
        return opened >= 0 ? .success(opened) : .failure(Errno(errno))
    }

    /// The target of `name` in `directory` when it is a symlink, else nil.
    static func linkTarget(_ directory: Int32, _ name: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlinkat(directory, name, &buffer, buffer.count - 1)
        guard count >= 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// An errno value carried as a typed error.
struct Errno: Error, Equatable {
    let code: Int32
    init(_ code: Int32) { self.code = code }
}
