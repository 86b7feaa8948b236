import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Reads and writes `/proc/sys` files inside another network namespace, from the host.
///
/// Each access runs on a thread of its own (a pthread, never a Swift concurrency thread, whose
/// namespace would leak into unrelated tasks): it opens `/proc/PID/ns/net`, checks the opened
/// file's inode is the planned namespace (a reused pid is refused; setns then enters exactly
/// the namespace checked, not whatever the pid points at a moment later), enters it with
/// setns(2), checks `/proc/thread-self/ns/net` shows it, opens the `/proc/sys` file (the
/// kernel resolves `/proc/sys/net` against the opening thread's namespace, proved by the
/// live test), writes the value in one write(2) and reads it back, returns to its own
/// namespace and checks that too. The thread then ends, so it is never reused.
public struct SetnsSysctlAccess: NamespaceSysctlAccess {
    public init() {}

    public func read(_ path: String, in target: NamespaceTarget) throws(NamespaceAccessError) -> String {
        try inNamespace(target) { Result { () throws(NamespaceAccessError) -> String in try Self.readFile(path) } }
    }

    public func write(_ value: String, to path: String, in target: NamespaceTarget) throws(NamespaceAccessError) -> String {
        try inNamespace(target) { Self.writeAndReadBack(value, to: path, namespace: target.id) }
    }

    /// Opens the file in the thread's (new) namespace, writes the value in one write(2) and
    /// reads the file back.
    static func writeAndReadBack(_ value: String, to path: String, namespace: UInt64) -> Result<String, NamespaceAccessError> {
        let fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { return .failure(failure("opening \(path) for writing in netns \(namespace)")) }
        let bytes = Array((value + "\n").utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        let code = errno
        close(fd)
        guard written == bytes.count else {
            errno = code
            return .failure(failure("writing \(value) to \(path) in netns \(namespace)", changed: written > 0))
        }
        do {
            return .success(try readFile(path))
        } catch {
            return .failure(NamespaceAccessError(.failed, "\(path) was written in netns \(namespace) but cannot be read back: \(error.message)", changed: true))
        }
    }

    static func failure(_ what: String, changed: Bool = false) -> NamespaceAccessError {
        NamespaceAccessError(.failed, "\(what): \(String(cString: strerror(errno)))", changed: changed)
    }

    static func readFile(_ path: String) throws(NamespaceAccessError) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { throw failure("opening \(path)") }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        guard count >= 0 else { throw failure("reading \(path)") }
        return String(decoding: buffer[0..<count], as: UTF8.self)
    }

    static func inode(ofDescriptor fd: Int32) -> UInt64? {
        var info = stat()
        return fstat(fd, &info) == 0 ? UInt64(info.st_ino) : nil
    }

    static func currentInode() -> UInt64? {
        var info = stat()
        return stat("/proc/thread-self/ns/net", &info) == 0 ? UInt64(info.st_ino) : nil
    }

    /// Runs `body` on a new thread inside the target namespace; see the type's comment.
    func inNamespace(_ target: NamespaceTarget, _ body: @escaping () -> Result<String, NamespaceAccessError>) throws(NamespaceAccessError) -> String {
        let job = NamespaceJob {
            let home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)
            guard home >= 0, let homeID = Self.inode(ofDescriptor: home) else { return .failure(Self.failure("opening this thread's own namespace")) }
            defer { close(home) }
            let fd = open("/proc/\(target.pid)/ns/net", O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                return .failure(NamespaceAccessError(.namespaceChanged, "pid \(target.pid) no longer exists (\(String(cString: strerror(errno)))), so netns \(target.id) cannot be reached through it; not writing"))
            }
            defer { close(fd) }
            guard let found = Self.inode(ofDescriptor: fd), found == target.id else {
                return .failure(NamespaceAccessError(.namespaceChanged, "pid \(target.pid) is now in another namespace than netns \(target.id) (the pid was reused); not writing"))
            }
            guard Setns.enter(fd) == 0 else { return .failure(Self.failure("setns into netns \(target.id)")) }
            var result: Result<String, NamespaceAccessError>
            if Self.currentInode() == target.id {
                result = body()
            } else {
                result = .failure(NamespaceAccessError(.failed, "setns into netns \(target.id) returned but the thread is not in it; nothing written"))
            }
            // Back home, checked; the thread ends right after either way, so a failure here
            // cannot leak the namespace into anything else.
            if Setns.enter(home) != 0 || Self.currentInode() != homeID, case .success = result {
                result = .failure(NamespaceAccessError(.failed, "the access in netns \(target.id) completed but the thread could not return to its own namespace", changed: true))
            }
            return result
        }
        return try job.runOnOwnThread().get()
    }
}

/// setns(2), which Glibc's Swift module does not export (it is a `_GNU_SOURCE` declaration):
/// looked up once by name, like `RawSyscall`.
enum Setns {
    typealias Function = @convention(c) (Int32, Int32) -> Int32
    static let cloneNewNet: Int32 = 0x4000_0000
    static let function: Function? = {
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "setns") else { return nil }
        return unsafeBitCast(symbol, to: Function.self)
    }()

    /// Moves the calling thread into the network namespace `fd` refers to; 0 on success.
    static func enter(_ fd: Int32) -> Int32 {
        guard let function else { errno = ENOSYS; return -1 }
        return function(fd, cloneNewNet)
    }
}

/// One job on one pthread, joined before returning.
final class NamespaceJob: @unchecked Sendable {
    let work: () -> Result<String, NamespaceAccessError>
    var result: Result<String, NamespaceAccessError> = .failure(NamespaceAccessError(.failed, "the namespace thread did not run"))

    init(_ work: @escaping () -> Result<String, NamespaceAccessError>) { self.work = work }

    func runOnOwnThread() -> Result<String, NamespaceAccessError> {
        var thread = pthread_t()
        let box = Unmanaged.passRetained(self)
        let created = pthread_create(&thread, nil, { raw in
            let job = Unmanaged<NamespaceJob>.fromOpaque(raw!).takeRetainedValue()
            job.result = job.work()
            return nil
        }, box.toOpaque())
        guard created == 0 else {
            box.release()
            return .failure(NamespaceAccessError(.failed, "cannot start a thread for the namespace access (error \(created))"))
        }
        pthread_join(thread, nil)
        return result
    }
}
