import Foundation
import Testing
@testable import CtfixCore

/// What a SIGKILL at any instant can leave in the audit log, planted by hand: a head one record
/// behind, a torn last line, a last line that is no JSON. The next append must chain on, set the
/// torn bytes aside byte-exact and say so; `verify` must pass and name the run that never ended
/// without writing anything. What a crash cannot leave (records cut off the end that the head
/// vouches for, an edited last record) must still be caught, and the append must refuse.
@Suite struct AuditRepairTests {
    let directory: String
    let warnings = CapturedOutput()
    let log: AuditLog
    let now = Date(timeIntervalSince1970: 1_700_000_000)

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ctfix-audit-repair-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        log = AuditLog(fileSystem: try RootedFileSystem(root: directory), warnings: warnings)
    }

    var logFile: String { directory + AuditLog.defaultPath }
    var headFile: String { logFile + ".head" }
    var tornFile: String { logFile + ".torn" }

    func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }
    func write(_ data: Data, _ path: String) throws { try data.write(to: URL(fileURLWithPath: path)) }
    func appendRaw(_ text: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: logFile))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
        try handle.close()
    }

    /// A run that was killed after its intent: run_start, intent, no outcome, no run_end.
    func killedRun(_ id: String) throws {
        try log.append(event: "run_start", runID: id, time: now, fields: ["name": "table-full", "pid": 4242])
        let step = JSONValue.from([PlannedStep.setValue(path: "/proc/sys/net/netfilter/nf_conntrack_max", name: "net.netfilter.nf_conntrack_max", before: "262144", after: "524288")])
        try log.append(event: "intent", runID: id, time: now, fields: ["action": "raise-conntrack-max", "steps": step])
    }

    @Test func aHeadLeftOneRecordBehindIsRepairedNotReused() throws {
        try killedRun("r1")
        let staleHead = try bytes(headFile)
        try log.append(event: "outcome", runID: "r1", time: now, fields: ["action": "raise-conntrack-max", "status": "applied"])
        try write(staleHead, headFile) // killed between the append and the head update
        let before = try log.verify()
        #expect(before.ok)
        #expect(before.repairable.contains { $0.contains("vouches for 2 of 3 records") })

        try log.append(event: "run_start", runID: "r2", time: now)
        let records = try log.records()
        #expect(records.map(\.seq) == [1, 2, 3, 4, 5])
        #expect(records[3].event == "audit_repair")
        #expect(records[3].fields["head"]?.stringValue?.contains("vouched for 2 of 3") == true)
        let after = try log.verify()
        #expect(after.ok)
        #expect(after.repairable.isEmpty)
        #expect(warnings.standardError.contains("repaired"))
    }

    @Test func aTornLastLineIsSetAsideByteExactAndReported() throws {
        try killedRun("r1")
        let sizeBefore = try bytes(logFile).count
        let torn = "{\"data\":{\"action\":\"raise-conntrack-max\",\"status\":\"appl"
        try appendRaw(torn)

        let verified = try log.verify()
        #expect(verified.ok)
        #expect(verified.records == 2)
        #expect(verified.repairable.contains { $0.contains("the last \(torn.utf8.count) bytes (from offset \(sizeBefore))") })
        #expect(verified.unfinishedRuns == ["r1"])

        try log.append(event: "run_start", runID: "r2", time: now)
        let setAside = try String(contentsOf: URL(fileURLWithPath: tornFile), encoding: .utf8)
        #expect(setAside.contains("\(torn.utf8.count) bytes set aside from \(AuditLog.defaultPath) at offset \(sizeBefore)"))
        #expect(setAside.hasSuffix("---\n" + torn + "\n"))
        let records = try log.records()
        #expect(records.map(\.event) == ["run_start", "intent", "audit_repair", "run_start"])
        let repair = try #require(records[2].fields["set_aside"])
        #expect(repair["offset"]?.numberValue == Double(sizeBefore))
        #expect(repair["bytes"]?.numberValue == Double(torn.utf8.count))
        #expect(repair["preview"]?.stringValue == torn)
        #expect(warnings.standardError.contains("set aside \(torn.utf8.count) bytes at offset \(sizeBefore)"))
        let after = try log.verify()
        #expect(after.ok && after.repairable.isEmpty)
        #expect(after.notes.contains { $0.contains("1 torn end(s)") })
    }

    @Test func aLastLineThatIsNotARecordIsSetAsideToo() throws {
        try killedRun("r1")
        try appendRaw("{\"seq\":3,\"event\":\n")
        #expect(try log.verify().ok)
        try log.append(event: "run_end", runID: "r1", time: now, fields: ["outcome": "failed"])
        #expect(try log.records().map(\.seq) == [1, 2, 3, 4])
        #expect(try String(contentsOf: URL(fileURLWithPath: tornFile), encoding: .utf8).hasSuffix("{\"seq\":3,\"event\":\n"))
        #expect(try log.verify().ok)
    }

    @Test func verifyNeverWrites() throws {
        try killedRun("r1")
        try appendRaw("{\"partial")
        let logBytes = try bytes(logFile)
        let headBytes = try bytes(headFile)
        _ = try log.verify()
        #expect(try bytes(logFile) == logBytes)
        #expect(try bytes(headFile) == headBytes)
        #expect(!FileManager.default.fileExists(atPath: tornFile))
    }

    @Test func anUnfinishedRunIsNamedWithWhatTheHostMayHold() throws {
        try killedRun("r1")
        let result = try log.verify()
        let run = try #require(result.interrupted.first)
        #expect(run.runID == "r1" && run.pid == 4242 && run.playbook == "table-full")
        #expect(run.pendingAction == "raise-conntrack-max")
        #expect(run.sentence.contains("run r1 (table-full, started 2023-11-14T22:13:20Z, pid 4242) never ended: interrupted or killed; last record: intent of action raise-conntrack-max"))
        #expect(run.sentence.contains("may hold any, all or none of action raise-conntrack-max: net.netfilter.nf_conntrack_max: 262144 → 524288"))
    }

    @Test func recordsCutOffTheEndAreNotPaperedOver() throws {
        try killedRun("r1")
        try log.append(event: "run_end", runID: "r1", time: now)
        let lines = try String(contentsOfFile: logFile, encoding: .utf8).split(separator: "\n")
        try (lines.dropLast().joined(separator: "\n") + "\n").write(toFile: logFile, atomically: true, encoding: .utf8)
        #expect(try log.verify().ok == false)
        #expect(throws: AuditError.self) { try log.append(event: "run_start", runID: "r2", time: now) }
        #expect(try log.verify().problem?.contains("truncated") == true) // still caught, nothing appended
    }

    @Test func aLogRotatedAwayWithoutItsHeadStartsANewChainAndSaysSo() throws {
        try killedRun("r1")
        try FileManager.default.moveItem(atPath: logFile, toPath: logFile + ".1")
        try log.append(event: "run_start", runID: "r2", time: now)
        let records = try log.records()
        #expect(records.map(\.event) == ["audit_repair", "run_start"])
        #expect(records[0].fields["head"]?.stringValue?.contains("vouched for 2 records") == true)
        #expect(records[0].prev == String(repeating: "0", count: 64))
        #expect(try log.verify().ok)
    }

    @Test func anEditedLastRecordIsRefusedNotSetAside() throws {
        try killedRun("r1")
        var content = try String(contentsOfFile: logFile, encoding: .utf8)
        content = content.replacingOccurrences(of: "524288", with: "999999")
        try content.write(toFile: logFile, atomically: true, encoding: .utf8)
        #expect(throws: AuditError.self) { try log.append(event: "run_start", runID: "r2", time: now) }
        #expect(!FileManager.default.fileExists(atPath: tornFile))
        #expect(try log.verify().ok == false)
    }

    @Test func theChainContinuesAfterRecordsLongerThanOneTailChunk() throws {
        let big = String(repeating: "x", count: 40_000)
        try log.append(event: "evidence", runID: "r1", time: now, fields: ["blob": .string(big)])
        try log.append(event: "evidence", runID: "r1", time: now, fields: ["blob": .string(big)])
        try appendRaw(String(repeating: "y", count: 20_000)) // torn, longer than a chunk too
        try log.append(event: "run_end", runID: "r1", time: now)
        #expect(try log.records().map(\.seq) == [1, 2, 3, 4])
        #expect(try log.verify().ok)
    }

    @Test func theInMemoryFileSystemTruncatesLikeTheRealOne() throws {
        let fs = InMemoryFileSystem(["/var/log/x": "complete\ntorn"])
        try fs.truncateFile("/var/log/x", toLength: 9)
        #expect(try fs.readText("/var/log/x") == "complete\n")
        #expect(throws: FileSystemError.self) { try fs.truncateFile("/var/log/x", toLength: 100) }
        let real = try RootedFileSystem(root: directory)
        try "complete\ntorn".write(toFile: directory + "/x", atomically: true, encoding: .utf8)
        try real.truncateFile("/x", toLength: 9)
        #expect(try String(contentsOfFile: directory + "/x", encoding: .utf8) == "complete\n")
    }
}
