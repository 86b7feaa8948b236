import Crypto
import Foundation

/// One alert accepted for a run, as stored (one JSON file per job) in the host's
/// `/var/lib/ctfix/queue/`. Its `key` (fingerprint + startsAt) is the dedupe key: Alertmanager
/// delivers at least once and re-sends an unchanged alert every `repeat_interval`.
public struct AlertJob: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable { case queued, running, done, cancelled }

    public var key: String
    /// Arrival order; the worker takes the lowest queued one.
    public var sequence: Int
    public var fingerprint: String
    public var startsAt: String
    public var alertName: String
    public var route: String
    public var playbookPath: String
    public var playbookName: String
    public var mode: ServeMode
    public var allowDestructive: Bool
    /// Playbook parameters rendered from the alert (`--set`).
    public var settings: [String: String]
    public var status: Status
    public var receivedAt: Date
    public var runID: String?
    public var outcome: String?
    /// How many times a run of this job was started (written durably before each start), so a
    /// job whose run kills serve is not started again and again (`AlertQueue.maxStarts`).
    public var starts: Int?

    enum CodingKeys: String, CodingKey {
        case key, sequence, fingerprint, startsAt = "starts_at", alertName = "alertname", route
        case playbookPath = "playbook_path", playbookName = "playbook", mode, allowDestructive = "allow_destructive"
        case settings, status, receivedAt = "received_at", runID = "run_id", outcome, starts
    }

    /// The dedupe key of an alert occurrence: 16 hex digits of SHA-256(fingerprint, startsAt).
    public static func key(fingerprint: String, startsAt: String) -> String {
        let digest = SHA256.hash(data: Data("\(fingerprint)\u{0}\(startsAt)".utf8))
        return NumberText.hex(digest.prefix(8))
    }

    /// The run trigger recorded in the executor's audit records.
    public var trigger: String { "alertmanager:\(fingerprint)" }
}
