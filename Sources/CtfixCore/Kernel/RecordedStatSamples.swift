import Foundation

/// Two (or more) timed samples of `/proc/net/stat` files, kept beside a snapshot
/// (`/ctfix-stat-samples.json` at its root) so a review elsewhere can compute how fast the
/// counters rose: a single copy of a counter says nothing about *now*.
///
/// ```json
/// { "samples": [ { "path": "/proc/net/stat/nf_conntrack", "taken_at": "2024-03-14T03:12:30Z", "text": "entries …" },
///                { "path": "/proc/net/stat/nf_conntrack", "taken_at": "2024-03-14T03:12:40Z", "text": "entries …" } ] }
/// ```
public struct RecordedStatSamples: Codable, Sendable, Equatable {
    public static let path = "/ctfix-stat-samples.json"
    /// Bounds on what is read back (a hostile snapshot stays cheap).
    public static let maximumBytes = 4 << 20
    public static let maximumSamples = 64

    public struct Sample: Codable, Sendable, Equatable {
        /// The host path sampled (`/proc/net/stat/nf_conntrack`, or `/proc/PID/net/stat/…`).
        public var path: String
        /// The network namespace it shows, when known.
        public var netns: UInt64?
        public var takenAt: Date
        public var text: String

        enum CodingKeys: String, CodingKey { case path, netns, takenAt = "taken_at", text }

        public init(path: String, netns: UInt64? = nil, takenAt: Date, text: String) {
            self.path = path
            self.netns = netns
            self.takenAt = takenAt
            self.text = text
        }
    }

    public var samples: [Sample]

    public init(samples: [Sample]) { self.samples = samples }

    /// The samples at the root, nil when there are none; an unreadable or malformed file is
    /// an error naming it. Read with `JSONDocument` (no JSONDecoder on the dry-run path), at
    /// most `maximumBytes` of it.
    public static func read(from fileSystem: any FileSystem) -> Result<RecordedStatSamples?, HostReadFailure> {
        let bytes: [UInt8]
        do {
            switch try JSONDocument.contents(of: path, in: fileSystem, limit: maximumBytes) {
            case nil: return .success(nil)
            case .bytes(let read)?: bytes = read
            case .tooLarge(let size)?:
                return .failure(HostReadFailure(path: path, message: "\(path) is \(size) bytes, more than \(maximumBytes)"))
            }
        } catch {
            return .failure(HostReadFailure(path: path, message: error.description))
        }
        do {
            let decoded = try decode(bytes)
            guard decoded.samples.count <= maximumSamples else {
                return .failure(HostReadFailure(path: path, message: "\(path) holds \(decoded.samples.count) samples, more than \(maximumSamples)"))
            }
            return .success(decoded)
        } catch {
            return .failure(HostReadFailure(path: path, message: "\(path) is not a valid sample file: \(error)"))
        }
    }

    /// The samples in `bytes`, each sample's members read in the order `init(from:)` reads them.
    static func decode(_ bytes: [UInt8]) throws(JSONDocument.Failure) -> RecordedStatSamples {
        let top = try JSONDocument.Object(JSONDocument.parse(bytes))
        var samples: [Sample] = []
        for (index, item) in try top.array("samples").enumerated() {
            let object = try JSONDocument.Object(item, path: "samples[\(index)]")
            let path = try object.string("path")
            let netns = try object.optionalUnsigned("netns")
            let text = try object.string("taken_at")
            guard let takenAt = PreciseTime.parse(text) else {
                throw object.failure("taken_at", "not an ISO 8601 time: \"\(JSONDocument.shown(text))\"")
            }
            samples.append(Sample(path: path, netns: netns, takenAt: takenAt, text: try object.string("text")))
        }
        return RecordedStatSamples(samples: samples)
    }

    /// The earliest and the latest sample of `path`, when there are two at different times.
    public func pair(for path: String) -> (earlier: Sample, later: Sample)? {
        let mine = samples.filter { $0.path == path }.sorted { $0.takenAt < $1.takenAt }
        guard let first = mine.first, let last = mine.last, last.takenAt > first.takenAt else { return nil }
        return (first, last)
    }

    public func encoded() throws -> Data {
        let encoder = PreciseTime.encoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }
}
