import Foundation

/// Every read (and, later, every write) of the host goes through this protocol, so a run can be
/// pointed at the real machine (`/`), a captured snapshot or an in-memory fake without the code
/// that reads `/proc` knowing the difference.
///
/// Paths are *host* paths: absolute, as they appear on the host (`/proc/sys/net/...`).
/// Implementations resolve them under their root and never let them escape it.
public protocol FileSystem: Sendable {
    /// A description of where host paths resolve, for messages (`/`, `examples/hosts/centos5`).
    var rootDescription: String { get }

    /// Reads a whole file. Meant for small procfs/sysfs/config files.
    func readFile(_ path: String) throws(FileSystemError) -> Data

    /// Metadata of a path, or nil when it does not exist.
    func info(_ path: String) throws(FileSystemError) -> FileInfo?

    /// The names in a directory, sorted.
    func listDirectory(_ path: String) throws(FileSystemError) -> [String]

    /// Opens a file for random-access reads, so large logs can be read from the end.
    func openForReading(_ path: String) throws(FileSystemError) -> any RandomAccessReader

    /// The real path on this machine of a host path, for handing to tools such as
    /// `journalctl --directory`; nil for file systems that are not backed by a directory.
    /// A string resolved now and used later by another program: never for ctfix's own reads
    /// or writes (those go through `openReadDescriptor` and the write operations).
    func realPath(of path: String) -> String?

    /// A non-blocking read-only descriptor of a host path, resolved inside the root, for
    /// readers that keep a file or device open between reads (watch's followers, `/dev/kmsg`).
    /// The caller closes it. File systems not backed by descriptors throw `.notAFile`.
    func openReadDescriptor(_ path: String) throws(FileSystemError) -> Int32

    /// True when the last component of the path is a symlink (the directories above it are
    /// resolved inside the root): for files that are read and then replaced (the audit head),
    /// so a planted link is refused by name before it is read.
    func isSymbolicLink(_ path: String) -> Bool
    /// The text of the symlink at `path` (its last component not followed), nil when it is not
    /// one. Namespace links (`/proc/PID/ns/net` → `net:[4026531840]`) are read this way: they
    /// are never followed.
    func linkTarget(_ path: String) -> String?

    // MARK: Changes (only the executor and the audit log call these)

    /// Replaces a config file so that a crash leaves either the old or the new content, never a
    /// mix: write a temporary file beside it, fsync, rename over, fsync the directory. Keeps
    /// the file's permissions when it existed (else `mode`).
    func writeAtomically(_ data: Data, to path: String, mode: Int) throws(FileSystemError)

    /// Replaces a small file atomically (temp file + rename) without waiting for the disk: for
    /// hints that may lag after a crash but must never be half-written (the audit log's head).
    func replaceQuickly(_ data: Data, at path: String) throws(FileSystemError)

    /// Writes a procfs/sysfs file in place (they cannot be renamed over). The kernel's refusal
    /// (EINVAL, EPERM, EACCES) surfaces as an error instead of being lost as with `sysctl -w`.
    func writeInPlace(_ data: Data, to path: String) throws(FileSystemError)

    /// Appends and fsyncs before returning: an audit record is on disk before the next step.
    func appendDurably(_ data: Data, to path: String) throws(FileSystemError)

    /// `appendDurably`, then the identity of the file as this append left it (fstat of the
    /// descriptor written through, after the fsync). The audit log keeps it to know, at its
    /// next append, that nobody wrote in between; nil when the file system cannot tell (the
    /// caller then never trusts what it remembers).
    func appendDurablyIdentifying(_ data: Data, to path: String) throws(FileSystemError) -> FileIdentity?

    /// `replaceQuickly`, then the identity of the file it put under the name (fstat of the
    /// descriptor written through, after the rename); nil when the file system cannot tell.
    func replaceQuicklyIdentifying(_ data: Data, at path: String) throws(FileSystemError) -> FileIdentity?

    /// The identity of what is under the name now, its last component not followed (a symlink
    /// there has an identity of its own); nil when nothing is there or the file system cannot
    /// tell.
    func identity(of path: String) throws(FileSystemError) -> FileIdentity?

    /// Cuts a file to its first `toLength` bytes and fsyncs it: the audit log's repair sets a
    /// torn last line aside and then truncates the log to its last complete record.
    func truncateFile(_ path: String, toLength: Int64) throws(FileSystemError)

    /// Creates a directory and its parents.
    func createDirectory(_ path: String) throws(FileSystemError)

    /// Removes a file (not a directory); a missing file is not an error.
    func removeFile(_ path: String) throws(FileSystemError)

    /// Takes an exclusive advisory lock on a lock file, waiting up to `wait`; nil when another
    /// process still holds it after that. Released when the returned handle is released.
    func lockExclusively(_ path: String, wait: Duration) throws(FileSystemError) -> (any HostLockHandle)?
}

/// A held lock; dropping the last reference releases it.
public protocol HostLockHandle: AnyObject, Sendable {}

/// What a caller needs to know about a path without reading it.
public struct FileInfo: Sendable, Equatable {
    public enum Kind: String, Sendable { case file, directory, characterDevice, other }
    public var kind: Kind
    public var size: Int64
    public var inode: UInt64
    public var isWritable: Bool

    public init(kind: Kind, size: Int64, inode: UInt64 = 0, isWritable: Bool = true) {
        self.kind = kind
        self.size = size
        self.inode = inode
        self.isWritable = isWritable
    }
}

/// Reads byte ranges of one open file; closed when released.
public protocol RandomAccessReader: AnyObject {
    /// The file's size when opened (logs keep growing; readers use this snapshot).
    var size: Int64 { get }
    /// Reads up to `count` bytes at `offset`; fewer only at the end of the file.
    func read(at offset: Int64, count: Int) throws(FileSystemError) -> [UInt8]
}

/// Why a host path could not be read; carries the host path so messages name the place.
public struct FileSystemError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        case notFound
        case permissionDenied
        case notAFile
        case escapesRoot
        /// The last component is a symlink where ctfix refuses one: every write, and the
        /// paths given on the command line (`--audit-log`, `snapshot DIR`).
        case symbolicLink
        /// A file ctfix appends to, truncates or rewrites in place has other names (`st_nlink`
        /// > 1): one of them may be a file outside the root or one ctfix does not own, so it
        /// is refused (writes by rename replace the name and are not affected).
        case hardLinked(Int)
        case invalidPath(String)
        case io(String)
    }

    public var path: String
    public var reason: Reason

    public init(path: String, reason: Reason) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): \(reasonText)" }

    /// The reason alone, for messages that name the path themselves.
    public var reasonText: String {
        switch reason {
        case .notFound: "no such file or directory"
        case .permissionDenied: "permission denied"
        case .notAFile: "not a regular file"
        case .escapesRoot: "resolves outside the host root"
        case .symbolicLink: "is a symbolic link; ctfix refuses a link here and never writes through one (name the real file)"
        case .hardLinked(let links): "has \(links) hard links; ctfix never appends to or rewrites in place a file that has other names (one may be outside the root); remove the other links or move the file aside"
        case .invalidPath(let why): "invalid path: \(why)"
        case .io(let why): why
        }
    }
}

extension FileSystem {
    public func openReadDescriptor(_ path: String) throws(FileSystemError) -> Int32 {
        throw FileSystemError(path: path, reason: .notAFile)
    }

    public func isSymbolicLink(_ path: String) -> Bool { false }

    /// File systems without identities (in-memory ones, test doubles that wrap another)
    /// append and report none, so nothing is ever taken on trust from an earlier append.
    public func appendDurablyIdentifying(_ data: Data, to path: String) throws(FileSystemError) -> FileIdentity? {
        try appendDurably(data, to: path)
        return nil
    }

    public func replaceQuicklyIdentifying(_ data: Data, at path: String) throws(FileSystemError) -> FileIdentity? {
        try replaceQuickly(data, at: path)
        return nil
    }

    public func identity(of path: String) throws(FileSystemError) -> FileIdentity? { nil }

    public func linkTarget(_ path: String) -> String? { nil }

    /// Reads a file as UTF-8 text (invalid bytes replaced, never a failure: procfs is ASCII).
    public func readText(_ path: String) throws(FileSystemError) -> String {
        String(decoding: try readFile(path), as: UTF8.self)
    }

    /// True when the path exists.
    public func exists(_ path: String) -> Bool {
        ((try? info(path)) ?? nil) != nil
    }
}
