import Foundation

/// The file at the top of a captured host (`ctfix snapshot DIR`, and every example host) that
/// says when and where it was captured. Under `--root` without `--now`, time windows are
/// evaluated as of `capturedAt`: a review of last night's capture must see last night's log.
public struct SnapshotManifest: Codable, Sendable, Equatable {
    /// The file's name, directly under the root.
    public static let fileName = "ctfix-snapshot.json"

    public var capturedAt: Date
    public var hostname: String
    public var kernel: String?
    /// Free text: where the capture came from (an incident, a synthetic example…).
    public var origin: String?

    enum CodingKeys: String, CodingKey {
        case capturedAt = "captured_at", hostname, kernel, origin
    }

    public init(capturedAt: Date, hostname: String, kernel: String? = nil, origin: String? = nil) {
        self.capturedAt = capturedAt
        self.hostname = hostname
        self.kernel = kernel
        self.origin = origin
    }

    /// Larger manifests are refused unread (`ctfix snapshot` writes a few KiB at most).
    public static let maximumBytes = 1 << 20

    /// Reads the manifest of a root, nil when there is none; a malformed one is an error
    /// naming the file rather than a silent fallback to the wall clock. Read with
    /// `JSONDocument` (no JSONDecoder on the dry-run path), strictly: see there.
    public static func read(from fileSystem: any FileSystem) throws(FileSystemError) -> SnapshotManifest? {
        let path = "/" + fileName
        func invalid(_ why: String) -> FileSystemError {
            FileSystemError(path: path, reason: .io("not a valid snapshot manifest: \(why)"))
        }
        switch try JSONDocument.contents(of: path, in: fileSystem, limit: maximumBytes) {
        case nil: return nil
        case .tooLarge(let size)?: throw invalid("\(size) bytes, more than \(maximumBytes)")
        case .bytes(let bytes)?:
            do { return try decode(bytes) } catch { throw invalid(error.description) }
        }
    }

    /// The manifest in `bytes`, its members read in the order `init(from:)` reads them.
    static func decode(_ bytes: [UInt8]) throws(JSONDocument.Failure) -> SnapshotManifest {
        let object = try JSONDocument.Object(JSONDocument.parse(bytes))
        let text = try object.string("captured_at")
        guard let capturedAt = ISO8601Time.formatStyleDate(text) else {
            throw object.failure("captured_at", "not an ISO 8601 time: \"\(JSONDocument.shown(text))\"")
        }
        return SnapshotManifest(capturedAt: capturedAt, hostname: try object.string("hostname"),
                                kernel: try object.optionalString("kernel"), origin: try object.optionalString("origin"))
    }
}
