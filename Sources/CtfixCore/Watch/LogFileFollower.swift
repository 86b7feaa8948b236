import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Follows one growing log file the way `tail -F` does, line by line, across rotation
/// (the path now names a new file: the old one is read to its end first, then the new one
/// from its start) and truncation (the file shrank below what was read: start over).
///
/// It keeps a descriptor open between reads, opened through the file system's root
/// (`FileSystem.openReadDescriptor`), so a log swapped for a symlink leading out of the root
/// is resolved inside the root like every other host path. Only complete lines are returned;
/// a half-written last line waits for its newline.
public final class LogFileFollower {
    /// The followed host path.
    public let path: String
    private let fileSystem: any FileSystem
    private var descriptor: Int32 = -1
    private var inode: UInt64 = 0
    /// Bytes read from the open file so far.
    private var readOffset: Int64 = 0
    /// Bytes read but not yet ending in a newline.
    private var pending: [UInt8] = []
    /// Events worth noticing on the followed file (rotation, truncation, growth) in its directory.
    public private(set) var changeNotifier: FileChangeNotifier?
    /// What happened that a reader should know (rotation, truncation), for the log and audit.
    public private(set) var notes: [String] = []

    /// Longer lines are cut: a runaway writer must not grow memory without bound.
    static let maximumLineLength = 64 << 10
    static let readChunkSize = 256 << 10

    /// Starts following. With `resume`, continues where a previous watcher stopped: the same
    /// file (same inode) from the saved offset, or, when the file was rotated meanwhile, the
    /// rest of `<path>.1` if that is the saved file, then the new file from its start. Without
    /// it, starts at the current end (old lines are history, not news).
    public convenience init(path: String, resume: WatchState.FilePosition?) {
        // A path of this machine: a file system rooted at `/` (which cannot fail to open).
        self.init(path: path, fileSystem: (try? RootedFileSystem(root: "/")) ?? InMemoryFileSystem(), resume: resume)
    }

    /// Follows host path `path` of `fileSystem`.
    public init(path: String, fileSystem: any FileSystem, resume: WatchState.FilePosition?) {
        self.path = path
        self.fileSystem = fileSystem
        // inotify only wakes the follower; what is read comes through the root's descriptor.
        let directory = HostPath.parent(of: path)
        changeNotifier = FileChangeNotifier(directory: fileSystem.realPath(of: directory) ?? directory)
        guard let current = statFile(path) else {
            // Not there yet: when it appears, all of it is new.
            if let resume, let rotated = statFile(path + ".1"), rotated.inode == resume.inode {
                open(path + ".1", inode: rotated.inode, at: min(resume.offset, rotated.size))
            }
            return
        }
        if let resume {
            if resume.inode == current.inode {
                if resume.offset <= current.size {
                    open(path, inode: current.inode, at: resume.offset)
                } else {
                    notes.append("\(path) shrank below the saved position while not watched: reading it from the start")
                    open(path, inode: current.inode, at: 0)
                }
                return
            }
            if let rotated = statFile(path + ".1"), rotated.inode == resume.inode {
                notes.append("\(path) was rotated while not watched: reading the rest of \(path).1 first")
                open(path + ".1", inode: rotated.inode, at: min(resume.offset, rotated.size))
                return
            }
            notes.append("\(path) is a different file than the saved position's and the old one is gone: reading it from the start")
            open(path, inode: current.inode, at: 0)
            return
        }
        open(path, inode: current.inode, at: current.size)
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// Where every complete line returned so far ends: what a restart resumes from.
    public var position: WatchState.FilePosition? {
        guard descriptor >= 0 else { return nil }
        return WatchState.FilePosition(inode: inode, offset: readOffset - Int64(pending.count))
    }

    /// The complete lines written since the last call, oldest first, following rotation and
    /// truncation. Never blocks.
    public func readNewLines() -> [String] {
        notes.removeAll()
        var lines: [String] = []
        if descriptor >= 0 {
            var info = stat()
            if fstat(descriptor, &info) == 0, Int64(info.st_size) < readOffset {
                notes.append("\(path) was truncated: reading it from the start")
                readOffset = 0
                pending.removeAll()
            }
            lines += drain()
        }
        // Rotation: the path names another file now. The old one was read to its end above.
        if let current = statFile(path), current.inode != inode || descriptor < 0 {
            if descriptor >= 0 {
                if !pending.isEmpty { lines.append(String(decoding: pending, as: UTF8.self)) }
                notes.append("\(path) was rotated: following the new file from its start")
            }
            pending.removeAll()
            open(path, inode: current.inode, at: 0)
            lines += drain()
        }
        return lines
    }

    private func open(_ file: String, inode: UInt64, at offset: Int64) {
        if descriptor >= 0 { close(descriptor) }
        descriptor = (try? fileSystem.openReadDescriptor(file)) ?? -1
        self.inode = inode
        readOffset = descriptor >= 0 ? offset : 0
        pending.removeAll()
    }

    /// Reads from the offset to the current end, splitting complete lines off.
    private func drain() -> [String] {
        var lines: [String] = []
        var buffer = [UInt8](repeating: 0, count: Self.readChunkSize)
        while true {
            let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, off_t(readOffset)) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            readOffset += Int64(count)
            var lineStart = 0
            for index in 0..<count where buffer[index] == 0x0A {
                pending.append(contentsOf: buffer[lineStart..<index])
                lines.append(String(decoding: pending.prefix(Self.maximumLineLength), as: UTF8.self))
                pending.removeAll(keepingCapacity: true)
                lineStart = index + 1
            }
            if lineStart < count, pending.count < Self.maximumLineLength {
                pending.append(contentsOf: buffer[lineStart..<count].prefix(Self.maximumLineLength - pending.count))
            }
        }
        return lines
    }

    func statFile(_ path: String) -> (inode: UInt64, size: Int64)? {
        guard let info = try? fileSystem.info(path), info.kind == .file else { return nil }
        return (info.inode, info.size)
    }
}
