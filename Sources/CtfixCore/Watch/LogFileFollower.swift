import Foundation

/// Follows one growing log file the way `tail -F` does, line by line, across rotation
/// (the path now names a new file: the rest of the old one, now `<path>.1`, is read first, then
/// the new one from its start) and truncation (the file shrank below the position: start over).
///
/// Every read goes through the context's `FileSystem` by host path, reopened on each wake: a
/// log swapped for a symlink that leads outside the root is refused by the file system's
/// boundary like any other read, never followed by a descriptor or a path resolved earlier.
/// The position is exact: the inode and the byte after the last complete line consumed. A
/// partial last line is not consumed (nor counted in the position) until its newline arrives.
public final class LogFileFollower {
    /// The followed host path.
    public let hostPath: String
    let fileSystem: any FileSystem
    private var inode: UInt64?
    /// The byte after the last complete line consumed.
    private var offset: Int64 = 0
    /// Events worth noticing on the followed file (rotation, truncation, growth) in its directory.
    public private(set) var changeNotifier: FileChangeNotifier?
    /// What happened that a reader should know (rotation, truncation, refusals), for the audit.
    public private(set) var notes: [String] = []
    private var lastProblem: String?
    /// Notes from starting, handed out with the first lines.
    private var startNotes: [String] = []

    /// Longer lines are cut: a runaway writer must not grow memory without bound.
    static let maximumLineLength = 64 << 10
    static let readChunkSize = 256 << 10

    /// Where to start without a saved position.
    public enum Start: Sendable, Equatable {
        /// The current end: lines already there are history (a first start).
        case end
        /// This byte offset of the current file (`--lookback`: the caller filters by time).
        case offset(Int64)
    }

    /// Starts following `hostPath` under `fileSystem`. With `resume`, continues where a previous
    /// watcher stopped: the same file (same inode) from the saved offset, or, when the file was
    /// rotated meanwhile, the rest of `<path>.1` if that is the saved file, then the new file
    /// from its start. Without it, starts as `start` says. A file that does not exist yet is
    /// read from its start when it appears.
    public init(hostPath: String, fileSystem: any FileSystem, resume: WatchState.FilePosition?, start: Start = .end) {
        self.hostPath = hostPath
        self.fileSystem = fileSystem
        defer {
            startNotes = notes + startNotes
            notes.removeAll()
        }
        if let directory = fileSystem.realPath(of: HostPath.parent(of: hostPath)) {
            changeNotifier = FileChangeNotifier(directory: directory)
        }
        let current = info(hostPath)
        if let resume {
            inode = resume.inode
            offset = resume.offset
            if let current, current.inode == resume.inode, resume.offset > current.size {
                startNotes.append("\(hostPath) shrank below the saved position while not watched: reading it from the start")
                offset = 0
            }
            return
        }
        guard let current else { return }
        inode = current.inode
        switch start {
        case .end: offset = current.size
        case .offset(let value): offset = min(max(0, value), current.size)
        }
    }

    /// Where every complete line returned so far ends: what a restart resumes from.
    public var position: WatchState.FilePosition? {
        inode.map { WatchState.FilePosition(inode: $0, offset: offset) }
    }

    /// The complete lines written since the last call, oldest first, following rotation and
    /// truncation. Never blocks.
    public func readNewLines() -> [String] {
        notes = startNotes
        startNotes.removeAll()
        var lines: [String] = []
        let current = info(hostPath)
        if let known = inode, current?.inode != known {
            // Rotated (or removed): the rest of the old file, if it is now `.1`, comes first.
            if let rotated = info(hostPath + ".1"), rotated.inode == known {
                lines += read(hostPath + ".1", expecting: known, toEnd: true)
            }
            guard let current else { return lines }
            notes.append("\(hostPath) was rotated: following the new file from its start")
            inode = current.inode
            offset = 0
        } else if inode == nil {
            guard let current else { return lines }
            inode = current.inode
            offset = 0
        } else if let current, current.size < offset {
            notes.append("\(hostPath) was truncated: reading it from the start")
            offset = 0
        }
        if let known = inode { lines += read(hostPath, expecting: known, toEnd: false) }
        return lines
    }

    private func info(_ path: String) -> FileInfo? {
        do {
            guard let found = try fileSystem.info(path), found.kind == .file else { return nil }
            return found
        } catch {
            report("\(path): \(error.reasonText): not read")
            return nil
        }
    }

    /// Reads complete lines from `offset`; `toEnd` also takes a last line without a newline
    /// (the old file after rotation will never get one). Stops if the file is not `expecting`.
    private func read(_ path: String, expecting known: UInt64, toEnd: Bool) -> [String] {
        let reader: any RandomAccessReader
        do {
            reader = try fileSystem.openForReading(path)
        } catch {
            report("\(path): \(error.reasonText): not read")
            return []
        }
        // Opened the file the inode check saw? (A swap in between is read next time.)
        guard info(path)?.inode == known else { return [] }
        lastProblem = nil
        var lines: [String] = []
        var pending: [UInt8] = []
        var cursor = offset
        while cursor < reader.size {
            let chunk: [UInt8]
            do { chunk = try reader.read(at: cursor, count: Int(min(Int64(Self.readChunkSize), reader.size - cursor))) } catch {
                report("\(path): \(error.reasonText)")
                break
            }
            guard !chunk.isEmpty else { break }
            var lineStart = 0
            for index in chunk.indices where chunk[index] == 0x0A {
                pending.append(contentsOf: chunk[lineStart..<index].prefix(max(0, Self.maximumLineLength - pending.count)))
                lines.append(String(decoding: pending, as: UTF8.self))
                pending.removeAll(keepingCapacity: true)
                lineStart = index + 1
                offset = cursor + Int64(index + 1)
            }
            pending.append(contentsOf: chunk[lineStart...].prefix(max(0, Self.maximumLineLength - pending.count)))
            cursor += Int64(chunk.count)
            // A runaway line with no newline: consumed in pieces of the maximum length.
            if pending.count >= Self.maximumLineLength {
                lines.append(String(decoding: pending, as: UTF8.self))
                pending.removeAll(keepingCapacity: true)
                offset = cursor
            }
        }
        if toEnd, !pending.isEmpty {
            lines.append(String(decoding: pending, as: UTF8.self))
            offset = cursor
        }
        return lines
    }

    /// A refusal or read error, said once until reading works again.
    private func report(_ problem: String) {
        guard problem != lastProblem else { return }
        lastProblem = problem
        notes.append(problem)
    }
}
