import Foundation
import Synchronization

/// A host that lives in memory: tests describe `/proc` and `/etc` as a dictionary and the code
/// under test cannot tell it from a real root. Follows SwiftPM's in-memory file system.
public final class InMemoryFileSystem: FileSystem {
    private let files: Mutex<[String: Data]>
    private let unreadable: Mutex<Set<String>>
    private let readOnly = Mutex<Set<String>>([])
    private let locks = Mutex<Set<String>>([])
    private let links = Mutex<[String: String]>([:])

    /// Builds a host from host path → contents.
    public init(_ contents: [String: String] = [:]) {
        var files: [String: Data] = [:]
        for (path, text) in contents {
            files[(try? HostPath.normalize(path)) ?? path] = Data(text.utf8)
        }
        self.files = Mutex(files)
        self.unreadable = Mutex([])
    }

    public var rootDescription: String { "<in-memory host>" }

    public func realPath(of path: String) -> String? { nil }

    /// Adds or replaces a file.
    public func set(_ path: String, _ text: String) {
        let normalized = (try? HostPath.normalize(path)) ?? path
        files.withLock { $0[normalized] = Data(text.utf8) }
    }

    /// Adds or replaces a file with exact bytes (content that is not UTF-8).
    public func setData(_ path: String, _ data: Data) {
        let normalized = (try? HostPath.normalize(path)) ?? path
        files.withLock { $0[normalized] = data }
    }

    /// Adds a symlink that is only ever read, never followed (`/proc/PID/ns/net`).
    public func setLink(_ path: String, _ target: String) {
        let normalized = (try? HostPath.normalize(path)) ?? path
        links.withLock { $0[normalized] = target }
    }

    public func linkTarget(_ path: String) -> String? {
        guard let normalized = try? HostPath.normalize(path) else { return nil }
        return links.withLock { $0[normalized] }
    }

    /// Makes a path fail with permission denied, as `/proc/slabinfo` does for non-root users.
    public func denyAccess(_ path: String) {
        unreadable.withLock { _ = $0.insert(path) }
    }

    /// Makes writes to a path fail with permission denied, as `nf_conntrack_max` does in a
    /// non-initial network namespace.
    public func denyWrites(_ path: String) {
        readOnly.withLock { _ = $0.insert(path) }
    }

    func store(_ data: Data, at path: String) throws(FileSystemError) {
        let normalized = try HostPath.normalize(path)
        if readOnly.withLock({ $0.contains(normalized) }) {
            throw FileSystemError(path: path, reason: .permissionDenied)
        }
        files.withLock { $0[normalized] = data }
    }

    func removeStored(_ normalized: String) {
        files.withLock { _ = $0.removeValue(forKey: normalized) }
    }

    func acquire(_ normalized: String) -> (any HostLockHandle)? {
        guard locks.withLock({ $0.insert(normalized).inserted }) else { return nil }
        return InMemoryLock { [weak self] in self?.locks.withLock { _ = $0.remove(normalized) } }
    }

    public func readFile(_ path: String) throws(FileSystemError) -> Data {
        let normalized = try HostPath.normalize(path)
        if unreadable.withLock({ $0.contains(normalized) }) {
            throw FileSystemError(path: path, reason: .permissionDenied)
        }
        guard let data = files.withLock({ $0[normalized] }) else {
            throw FileSystemError(path: path, reason: isDirectory(normalized) ? .notAFile : .notFound)
        }
        return data
    }

    public func info(_ path: String) throws(FileSystemError) -> FileInfo? {
        let normalized = try HostPath.normalize(path)
        if let data = files.withLock({ $0[normalized] }) {
            return FileInfo(kind: .file, size: Int64(data.count), inode: UInt64(abs(normalized.hashValue) % 1_000_000))
        }
        return isDirectory(normalized) ? FileInfo(kind: .directory, size: 0) : nil
    }

    public func listDirectory(_ path: String) throws(FileSystemError) -> [String] {
        let normalized = try HostPath.normalize(path)
        let prefix = normalized == "/" ? "/" : normalized + "/"
        let keys = files.withLock { Array($0.keys) } + links.withLock { Array($0.keys) }
        let names = Set(keys.filter { $0.hasPrefix(prefix) }.compactMap {
            $0.dropFirst(prefix.count).split(separator: "/").first.map(String.init)
        })
        guard !names.isEmpty else { throw FileSystemError(path: path, reason: .notFound) }
        return names.sorted()
    }

    public func openForReading(_ path: String) throws(FileSystemError) -> any RandomAccessReader {
        InMemoryReader(bytes: [UInt8](try readFile(path)))
    }

    private func isDirectory(_ normalized: String) -> Bool {
        let prefix = normalized == "/" ? "/" : normalized + "/"
        return files.withLock { $0.keys.contains { $0.hasPrefix(prefix) } }
    }
}

final class InMemoryReader: RandomAccessReader {
    let bytes: [UInt8]
    init(bytes: [UInt8]) { self.bytes = bytes }
    var size: Int64 { Int64(bytes.count) }
    func read(at offset: Int64, count: Int) throws(FileSystemError) -> [UInt8] {
        let start = Int(min(max(offset, 0), size))
        let end = min(start + count, bytes.count)
        return Array(bytes[start..<end])
    }
}

extension InMemoryFileSystem {
    public func writeAtomically(_ data: Data, to path: String, mode: Int) throws(FileSystemError) {
        try store(data, at: path)
    }

    public func replaceQuickly(_ data: Data, at path: String) throws(FileSystemError) {
        try store(data, at: path)
    }

    public func writeInPlace(_ data: Data, to path: String) throws(FileSystemError) {
        let normalized = try HostPath.normalize(path)
        guard exists(normalized) else { throw FileSystemError(path: path, reason: .notFound) }
        try store(data, at: normalized)
    }

    public func appendDurably(_ data: Data, to path: String) throws(FileSystemError) {
        let existing = (try? readFile(path)) ?? Data()
        try store(existing + data, at: path)
    }

    public func truncateFile(_ path: String, toLength length: Int64) throws(FileSystemError) {
        let data = try readFile(path)
        guard length >= 0, length <= Int64(data.count) else {
            throw FileSystemError(path: path, reason: .io("cannot truncate \(data.count) bytes to \(length)"))
        }
        try store(data.prefix(Int(length)), at: path)
    }

    public func createDirectory(_ path: String) throws(FileSystemError) {
        _ = try HostPath.normalize(path)
    }

    public func removeFile(_ path: String) throws(FileSystemError) {
        let normalized = try HostPath.normalize(path)
        removeStored(normalized)
    }

    public func lockExclusively(_ path: String, wait: Duration) throws(FileSystemError) -> (any HostLockHandle)? {
        let normalized = try HostPath.normalize(path)
        return acquire(normalized)
    }
}

final class InMemoryLock: HostLockHandle {
    let release: @Sendable () -> Void
    init(release: @escaping @Sendable () -> Void) { self.release = release }
    deinit { release() }
}
