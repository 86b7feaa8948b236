import Foundation

/// Where `ctfix watch` left off, kept under the root's `/var/lib/ctfix/watch-state.json` so a
/// restart neither replays lines it already acted on nor skips lines written while it was down.
public struct WatchState: Codable, Sendable, Equatable {
    public static let path = "/var/lib/ctfix/watch-state.json"

    /// A followed file: which file (inode) and how far into it every complete line was handled.
    public struct FilePosition: Codable, Sendable, Equatable {
        public var inode: UInt64
        public var offset: Int64

        public init(inode: UInt64, offset: Int64) {
            self.inode = inode
            self.offset = offset
        }
    }

    /// Followed log files by host path.
    public var files: [String: FilePosition] = [:]
    /// The boot the kmsg sequence number belongs to (sequence numbers restart at boot).
    public var bootID: String?
    /// The last `/dev/kmsg` record handled.
    public var kmsgSequence: UInt64?
    /// The journald cursor of the last kernel entry handled.
    public var journalCursor: String?
    /// When watch last started a run of each playbook (by name). Log evidence older than this
    /// has been acted on already and does not trigger the playbook again.
    public var lastTriggered: [String: Date] = [:]

    enum CodingKeys: String, CodingKey {
        case files, bootID = "boot_id", kmsgSequence = "kmsg_sequence", journalCursor = "journal_cursor"
        case lastTriggered = "last_triggered"
    }

    public init() {}

    /// The saved state; an empty one when there is none. A malformed file is an error naming
    /// it (the caller decides whether to start afresh).
    public static func load(_ fileSystem: any FileSystem) throws(FileSystemError) -> WatchState {
        guard fileSystem.exists(path) else { return WatchState() }
        let data = try fileSystem.readFile(path)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(WatchState.self, from: data)
        } catch {
            throw FileSystemError(path: path, reason: .io("not a valid watch state file: \(error)"))
        }
    }

    /// Saves atomically: a crash leaves the previous position, never half a file.
    public func save(_ fileSystem: any FileSystem) throws(FileSystemError) {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        let data: Data
        do { data = try encoder.encode(self) } catch {
            throw FileSystemError(path: Self.path, reason: .io("cannot encode watch state: \(error)"))
        }
        try fileSystem.createDirectory(HostPath.parent(of: Self.path))
        try fileSystem.writeAtomically(data, to: Self.path, mode: 0o644)
    }
}
