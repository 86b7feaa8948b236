import Foundation
import Testing
@testable import CtfixCore

/// issue 10, item 3, for `serve`: every record an alert's journey writes (decisions of every
/// kind, the run it starts in `dry_run` and `unattended` mode, the alert run's outcome) has
/// snake_case keys and enum values, and a job queued by an older version (`mode: dry-run`)
/// still decodes.
extension ServeQueueTests {
    static let enumKeys: Set<String> = ["status", "outcome", "mode", "kind", "decision", "state", "severity", "event", "risk", "skip"]

    static func violations(_ value: Any, at path: String = "$") -> [String] {
        let snake = { (text: String) in !text.isEmpty && text.utf8.allSatisfy { (97...122).contains($0) || (48...57).contains($0) || $0 == 95 } }
        switch value {
        case let object as [String: Any]:
            return object.sorted { $0.key < $1.key }.flatMap { key, child -> [String] in
                var found = snake(key) ? [] : ["key '\(key)' at \(path)"]
                if enumKeys.contains(key), let text = child as? String, !snake(text) { found.append("\(key): '\(text)' at \(path)") }
                return found + violations(child, at: "\(path).\(key)")
            }
        case let array as [Any]:
            return array.flatMap { violations($0, at: "\(path)[]") }
        default:
            return []
        }
    }

    @Test(arguments: [ServeMode.dryRun, .unattended])
    func everyServeRecordIsSnakeCase(mode: ServeMode) async throws {
        let queue = try AlertQueue(fileSystem: fs)
        let intake = AlertIntake(ctx: ctx, config: try config(mode: mode), queue: queue, audit: audit)
        _ = await intake.receive(alert(labels: ["instance": "web2:9100"]))       // not_for_this_host (not audited)
        _ = await intake.receive(alert(labels: ["alertname": "DiskFull"]))       // no_route
        _ = await intake.receive(alert())                                        // queued
        _ = await intake.receive(alert())                                        // deduped
        var worker = AlertWorker(ctx: ctx, queue: queue, audit: audit, budget: AttemptBudget(), auditLogPath: nil)
        worker.skipVerifyDelay = true
        #expect(await worker.runNext())
        _ = await intake.receive(alert(startsAt: "2026-11-22T05:00:00Z"))        // cooled_down (or queued after a dry-run)
        _ = await intake.receive(alert(.resolved, startsAt: "2026-11-22T05:00:00Z"))

        let records = try audit.records()
        let decisions = Set(records.compactMap { $0.fields["decision"]?.stringValue })
        #expect(decisions.isSuperset(of: ["no_route", "queued", "deduped"]), "\(decisions)")
        #expect(records.contains { $0.event == "run_start" && $0.fields["mode"]?.stringValue == (mode == .dryRun ? "dry_run" : "unattended") })
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        for record in records {
            let object = try JSONSerialization.jsonObject(with: try encoder.encode(record))
            #expect(Self.violations(object) == [], "\(record.event)")
        }
    }

    @Test func aJobQueuedByAnOlderVersionStillDecodes() throws {
        #expect(ServeMode(spelling: "dry-run") == .dryRun && ServeMode(spelling: "dry_run") == .dryRun)
        #expect(ServeMode(spelling: "Dry-Run") == nil && ServeMode(spelling: "dryRun") == nil)
        let old = try JSONDecoder().decode([ServeMode].self, from: Data(#"["dry-run", "unattended", "dry_run"]"#.utf8))
        #expect(old == [.dryRun, .unattended, .dryRun])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([ServeMode].self, from: Data(#"["sometimes"]"#.utf8)) }
        #expect(String(decoding: try JSONEncoder().encode([ServeMode.dryRun]), as: UTF8.self) == #"["dry_run"]"#)
    }
}
