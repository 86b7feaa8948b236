import Foundation
import Synchronization

/// The last sample of each counter file per namespace, for `ctfix watch`: the next evaluation
/// measures the increase since it instead of waiting `over:` again, and the store is saved
/// with watch's state, so a restart does not reset the measurement.
///
/// A sample from another boot (counters restart at boot) or older than `maximumAge` is not
/// used: the predicate samples twice, as `check` does.
public final class CounterSampleStore: Sendable {
    public struct Entry: Codable, Sendable, Equatable {
        public var bootID: String?
        public var takenAt: Date
        public var columns: [String]
        public var rows: [[UInt64]]

        enum CodingKeys: String, CodingKey { case bootID = "boot_id", takenAt = "taken_at", columns, rows }

        public init(bootID: String?, takenAt: Date, table: KernelStatTable) {
            self.bootID = bootID
            self.takenAt = takenAt
            self.columns = table.columns
            self.rows = table.rows
        }

        var table: KernelStatTable { KernelStatTable(columns: columns, rows: rows) }
    }

    /// At most this many samples are kept (namespaces come and go).
    public static let capacity = 512
    public static let maximumAge: Duration = .seconds(3600)

    private let entries: Mutex<[String: Entry]>
    /// A previous sample older than this is not used (watch: an hour; serve, whose alerts come
    /// seldom, ten minutes, so a run does not act on drops long over).
    public let maximumAge: Duration

    public init(_ entries: [String: Entry] = [:], maximumAge: Duration = CounterSampleStore.maximumAge) {
        self.entries = Mutex(entries)
        self.maximumAge = maximumAge
    }

    /// Where `ctfix serve` keeps its samples between alerts.
    public static let servePath = "/var/lib/ctfix/serve-counter-samples.json"

    /// The samples saved at `path` (none when absent or malformed: the predicate then samples
    /// twice, which is always correct, only slower).
    public static func load(_ fileSystem: any FileSystem, path: String, maximumAge: Duration) -> CounterSampleStore {
        guard let data = try? fileSystem.readFile(path), data.count <= 4 << 20,
              let entries = try? PreciseTime.decoder().decode([String: Entry].self, from: data) else {
            return CounterSampleStore(maximumAge: maximumAge)
        }
        return CounterSampleStore(entries, maximumAge: maximumAge)
    }

    /// Saves atomically through the file system (never through a symlink).
    public func save(_ fileSystem: any FileSystem, path: String) throws {
        let encoder = PreciseTime.encoder()
        encoder.outputFormatting = [.sortedKeys]
        try fileSystem.createDirectory(HostPath.parent(of: path))
        try fileSystem.writeAtomically(try encoder.encode(saved), to: path, mode: 0o644)
    }


    /// The samples, to save.
    public var saved: [String: Entry] { entries.withLock { $0 } }

    static func key(path: String, netns: UInt64) -> String { "\(netns):\(path)" }

    /// The last sample of `path` in namespace `netns` (and the one before it), if from this
    /// boot and recent.
    func previous(path: String, netns: UInt64, bootID: String?, now: Date)
        -> (latest: (table: KernelStatTable, takenAt: Date), prior: (table: KernelStatTable, takenAt: Date)?)? {
        let key = Self.key(path: path, netns: netns)
        func usable(_ entry: Entry?) -> (table: KernelStatTable, takenAt: Date)? {
            guard let entry else { return nil }
            let age = now.timeIntervalSince(entry.takenAt)
            guard entry.bootID == bootID, age >= 0, age <= maximumAge.seconds,
                  entry.rows.allSatisfy({ $0.count == entry.columns.count }) else { return nil }
            return (entry.table, entry.takenAt)
        }
        let (latest, prior) = entries.withLock { ($0[key], $0[key + Self.priorSuffix]) }
        guard let current = usable(latest) else { return nil }
        let before = usable(prior).flatMap { $0.takenAt < current.takenAt ? $0 : nil }
        return (current, before)
    }

    static let priorSuffix = "#prior"

    func remember(path: String, netns: UInt64, bootID: String?, table: KernelStatTable, at time: Date) {
        entries.withLock { all in
            let key = Self.key(path: path, netns: netns)
            if let latest = all[key] { all[key + Self.priorSuffix] = latest }
            all[key] = Entry(bootID: bootID, takenAt: time, table: table)
            if all.count > Self.capacity, let oldest = all.min(by: { $0.value.takenAt < $1.value.takenAt })?.key {
                all[oldest] = nil
            }
        }
    }
}
