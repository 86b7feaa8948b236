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

    /// Reads the manifest of a root, nil when there is none; a malformed one is an error
    /// naming the file rather than a silent fallback to the wall clock.
    public static func read(from fileSystem: any FileSystem) throws(FileSystemError) -> SnapshotManifest? {
        let path = "/" + fileName
        guard fileSystem.exists(path) else { return nil }
        let data = try fileSystem.readFile(path)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = ISO8601Time.decodingStrategy
        do {
            return try decoder.decode(SnapshotManifest.self, from: data)
        } catch {
            throw FileSystemError(path: path, reason: .io("not a valid snapshot manifest: \(error)"))
        }
    }
}
