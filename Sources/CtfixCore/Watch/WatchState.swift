import Foundation

/// Where `ctfix watch` left off, kept under the root's `/var/lib/ctfix/watch-state.json` so a
/// restart neither replays lines it already acted on nor skips lines written while it was down.
/// Every "already seen" decision uses exact positions (byte offsets, kmsg sequence numbers,
/// journald cursors, evidence serial numbers), never a timestamp.
public struct WatchState: Codable, Sendable, Equatable {
    public static let path = "/var/lib/ctfix/watch-state.json"

    /// A followed file: which file (inode) and where the last complete line handled ends.
    public struct FilePosition: Codable, Sendable, Equatable {
        public var inode: UInt64
        /// The byte just after the newline of the last complete line consumed (a partial last
        /// line is not consumed until its newline arrives).
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
    /// When a run started by watch last *changed something* for each playbook (by name): the
    /// start of its cooldown. Kept to the fraction of a second; never used to decide whether
    /// a line was seen (that is `evidence`).
    public var lastTriggered: [String: Date] = [:]
    /// When the last run that changed nothing (refused, dry-run, healthy…) ended, per playbook:
    /// an interval evaluation that still fires without a new line waits a cooldown after it.
    public var lastUnchangedRun: [String: Date] = [:]
    /// Matching lines read but not yet acted on, and how far each playbook has acted.
    public var evidence = WatchEvidence()
    /// Per playbook, the streaks of its `for:` conditions (see `SustainedHistory`), so a
    /// restart does not reset a condition that has been holding.
    public var sustained: [String: [String: SustainedHistory.Streak]] = [:]
    /// The last sample of each counter file per namespace (see `CounterSampleStore`), so
    /// `counter` predicates measure from the previous evaluation, across restarts.
    public var counterSamples: [String: CounterSampleStore.Entry] = [:]

    enum CodingKeys: String, CodingKey {
        case files, bootID = "boot_id", kmsgSequence = "kmsg_sequence", journalCursor = "journal_cursor"
        case lastTriggered = "last_triggered", lastUnchangedRun = "last_unchanged_run", evidence, sustained
        case counterSamples = "counter_samples"
    }

    public init() {}

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        files = try container.decodeIfPresent([String: FilePosition].self, forKey: .files) ?? [:]
        bootID = try container.decodeIfPresent(String.self, forKey: .bootID)
        kmsgSequence = try container.decodeIfPresent(UInt64.self, forKey: .kmsgSequence)
        journalCursor = try container.decodeIfPresent(String.self, forKey: .journalCursor)
        lastTriggered = try container.decodeIfPresent([String: Date].self, forKey: .lastTriggered) ?? [:]
        lastUnchangedRun = try container.decodeIfPresent([String: Date].self, forKey: .lastUnchangedRun) ?? [:]
        evidence = try container.decodeIfPresent(WatchEvidence.self, forKey: .evidence) ?? WatchEvidence()
        sustained = try container.decodeIfPresent([String: [String: SustainedHistory.Streak]].self, forKey: .sustained) ?? [:]
        counterSamples = try container.decodeIfPresent([String: CounterSampleStore.Entry].self, forKey: .counterSamples) ?? [:]
    }

    /// True when nothing was ever saved for any source: a first start.
    public var hasNoPosition: Bool { files.isEmpty && kmsgSequence == nil && journalCursor == nil }

    /// The saved state; an empty one when there is none. A malformed file is an error naming
    /// it (the caller decides whether to start afresh).
    public static func load(_ fileSystem: any FileSystem) throws(FileSystemError) -> WatchState {
        guard fileSystem.exists(path) else { return WatchState() }
        let data = try fileSystem.readFile(path)
        let decoder = PreciseTime.decoder()
        do {
            return try decoder.decode(WatchState.self, from: data)
        } catch {
            throw FileSystemError(path: path, reason: .io("not a valid watch state file: \(error)"))
        }
    }

    /// Saves atomically through the context's file system: a crash leaves the previous
    /// position, never half a file. `durable: false` does not wait for the disk (temp file and
    /// rename only): enough against a killed process, for the save on the path to a run.
    public func save(_ fileSystem: any FileSystem, durable: Bool = true) throws(FileSystemError) {
        let encoder = PreciseTime.encoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        let data: Data
        do { data = try encoder.encode(self) } catch {
            throw FileSystemError(path: Self.path, reason: .io("cannot encode watch state: \(error)"))
        }
        try fileSystem.createDirectory(HostPath.parent(of: Self.path))
        if durable {
            try fileSystem.writeAtomically(data, to: Self.path, mode: 0o644)
        } else {
            try fileSystem.replaceQuickly(data, at: Self.path)
        }
    }
}

/// ISO 8601 in UTC with microseconds (`2026-11-28T17:22:39.123456Z`); older state files carry
/// whole seconds, which are still read.
enum PreciseTime {
    /// A JSON decoder reading dates as `format` writes them (whole seconds accepted).
    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let date = parse(text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an ISO 8601 time: \(text)"))
            }
            return date
        }
        return decoder
    }

    /// A JSON encoder writing dates with `format`.
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(format(date))
        }
        return encoder
    }

    static func format(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        var whole = seconds.rounded(.down)
        var micro = Int(((seconds - whole) * 1_000_000).rounded())
        if micro >= 1_000_000 {
            whole += 1
            micro -= 1_000_000
        }
        return ISO8601Time.microseconds(epochSeconds: Int64(ISO8601Time.clamped(whole)), micro: micro)
    }

    /// `format`'s text, or whole seconds with `Z` or an offset (ISO8601Time.wholePlusFractionDate).
    static func parse(_ text: String) -> Date? { ISO8601Time.wholePlusFractionDate(text) }
}
