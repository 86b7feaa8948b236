import Foundation
import Testing
@testable import CtfixCore

@Suite struct AuditLogTests {
    let directory: String
    let log: AuditLog

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ctfix-audit-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        log = AuditLog(fileSystem: try RootedFileSystem(root: directory))
    }

    var logFile: String { directory + AuditLog.defaultPath }

    func writeRun(_ id: String, end: Bool = true) throws {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        try log.append(event: "run_start", runID: id, time: now, fields: ["playbook": "table-full", "mode": "dry-run"])
        try log.append(event: "intent", runID: id, time: now, fields: ["action": "raise-conntrack-max", "before": 16640, "after": 65536])
        if end { try log.append(event: "run_end", runID: id, time: now, fields: ["outcome": "remediated"]) }
    }

    func lines() throws -> [String] {
        try String(contentsOfFile: logFile, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    func rewrite(_ lines: [String]) throws {
        try (lines.joined(separator: "\n") + "\n").write(toFile: logFile, atomically: true, encoding: .utf8)
    }

    @Test func anIntactLogVerifiesAndChainsEveryRecord() throws {
        try writeRun("r1")
        try writeRun("r2")
        let result = try log.verify()
        #expect(result.ok)
        #expect(result.records == 6)
        #expect(result.unfinishedRuns.isEmpty)
        let records = try log.records()
        #expect(records.first?.prev == String(repeating: "0", count: 64))
        #expect(records.map(\.seq) == [1, 2, 3, 4, 5, 6])
        #expect(records[1].fields["after"] == 65536)
    }

    @Test func anEditedRecordIsFoundByTheNextOne() throws {
        try writeRun("r1")
        var content = try lines()
        content[1] = content[1].replacingOccurrences(of: "65536", with: "99999")
        try rewrite(content)
        let result = try log.verify()
        #expect(!result.ok)
        #expect(result.firstBadLine == 3)
    }

    @Test func removingTheLastRecordIsDetectedThroughTheHead() throws {
        try writeRun("r1")
        try rewrite(Array(try lines().dropLast()))
        let result = try log.verify()
        #expect(!result.ok)
        #expect(result.problem?.contains("truncated") == true)
    }

    @Test func editingTheLastRecordIsDetectedThroughTheHead() throws {
        try writeRun("r1")
        var content = try lines()
        content[2] = content[2].replacingOccurrences(of: "remediated", with: "failed")
        try rewrite(content)
        #expect(try log.verify().ok == false)
    }

    @Test func reorderingIsDetected() throws {
        try writeRun("r1")
        let content = try lines()
        try rewrite([content[0], content[2], content[1]])
        let result = try log.verify()
        #expect(!result.ok)
        #expect(result.firstBadLine == 2)
    }

    @Test func aRunThatNeverEndedIsReportedAsUnfinished() throws {
        try writeRun("r1", end: false)
        let result = try log.verify()
        #expect(result.ok)
        #expect(result.unfinishedRuns == ["r1"])
    }

    @Test func garbageInTheLogNamesItsLine() throws {
        try writeRun("r1")
        var content = try lines()
        content.insert("not json", at: 1)
        try rewrite(content)
        let result = try log.verify()
        #expect(result.firstBadLine == 2)
    }

    @Test func anUnwritableLogIsAnErrorNotACrash() throws {
        try "x".write(toFile: directory + "/var", atomically: true, encoding: .utf8) // /var is a file
        #expect(throws: AuditError.self) {
            try log.append(event: "run_start", runID: "r", time: Date())
        }
    }
}
