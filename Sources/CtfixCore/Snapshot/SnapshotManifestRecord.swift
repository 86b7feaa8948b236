import Foundation

/// The `ctfix-snapshot.json` `ctfix snapshot` writes: the fields `SnapshotManifest` reads
/// (captured_at, hostname, kernel, origin) plus what was left out and why, so a reviewer
/// knows what the capture could not see.
struct SnapshotManifestRecord: Encodable {
    var capturedAt: Date
    var hostname: String
    var kernel: String?
    var origin: String
    /// Files or directories not captured (unreadable, symlinks leading out), with the reason.
    var skipped: [String]
    /// Other facts (where the kernel log tail came from, placeholders written).
    var notes: [String]
    /// How many files were written.
    var files: Int

    enum CodingKeys: String, CodingKey {
        case capturedAt = "captured_at", hostname, kernel, origin, skipped, notes, files
    }

    func encoded() -> Data {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = ISO8601Time.encodingStrategy
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)) ?? Data("{}".utf8)
    }
}
