import CtfixCore
import Foundation
import Testing

/// The kill test: `ctfix run --yes` on a copied example host is stopped with SIGKILL at every
/// kill point in turn (each audit record, both sides of each append and head update, each
/// primitive, each atomic replace between temp write and rename, the policy-state save), not
/// at random moments. After each kill: `audit verify` passes and names the interrupted run;
/// every file holds its old or its new content byte-exact; the cooldown is on disk whenever the
/// host differs from the pristine copy; the next run removes every temp file and the stale
/// holder file, repairs the log, and never changes a value a second time.
@Suite(.serialized)
struct KillPointTests {
    struct Scenario: Sendable, CustomTestStringConvertible {
        var host: String
        var playbook: String
        var testDescription: String { "\(playbook) on \(host)" }
    }

    static let scenarios = [
        Scenario(host: "ubuntu-table-full", playbook: "table-full"),
        Scenario(host: "centos5-ip-conntrack", playbook: "table-full"),
        Scenario(host: "centos6-alloc-failure", playbook: "alloc-failure"),
    ]

    @Test(arguments: scenarios)
    func everyKillPointLeavesAConsistentHostAndARepairableLog(_ scenario: Scenario) async throws {
        let pristine = ExampleHostsPaths.host(scenario.host)
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("ctfix-kill-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }

        // 1. A complete run with the trace on: how many kill points, and the completed state.
        let reference = try copy(pristine, to: "\(work)/reference")
        let trace = "\(work)/trace"
        let completed = try await ctfix(runArguments(scenario, reference), ["CTFIX_TEST_KILL_TRACE": trace])
        // Remediated, not remediated, partial or unverified: the run went through its actions.
        #expect([10, 11, 15, 16].contains(completed.exitStatus), "\(completed.standardOutput)\(completed.standardError)")
        let points = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(points.count >= 40, "too few kill points: \(points)")
        #expect(points.contains { $0.contains("apply.before") } && points.contains { $0.contains("policy.saved") })
        #expect(try leftoverTempFiles(reference).isEmpty, "a completed run left temporary files")
        #expect(!FileManager.default.fileExists(atPath: reference + HostRunLock.holderPath), "a completed run left its holder file")
        let finalState = try hostFiles(reference)
        let pristineState = try hostFiles(pristine)

        // 2. Every kill point in turn, each on a fresh copy.
        var passed = 0
        for (index, point) in points.enumerated() {
            let n = index + 1
            let root = try copy(pristine, to: "\(work)/kill-\(n)")
            let problems = try await killAndCheck(scenario, root: root, at: n,
                                                  pristine: pristineState, completed: finalState)
            if problems.isEmpty { passed += 1 }
            for problem in problems { Issue.record("kill point \(n) (\(point)): \(problem)") }
            try? FileManager.default.removeItem(atPath: root)
        }
        print("kill test \(scenario.testDescription): \(passed) of \(points.count) kill points passed")
        #expect(passed == points.count)
    }

    /// A kill in the middle of writing a record: stopped right after each append (before the
    /// head update, as a real mid-write kill would be), the last line is then cut in half. The
    /// next run must set the half line aside byte-exact and say so; everything else as above.
    @Test(arguments: scenarios)
    func aRecordCutOffMidWriteIsSetAsideByTheNextRun(_ scenario: Scenario) async throws {
        let pristine = ExampleHostsPaths.host(scenario.host)
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("ctfix-tear-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let reference = try copy(pristine, to: "\(work)/reference")
        let trace = "\(work)/trace"
        _ = try await ctfix(runArguments(scenario, reference), ["CTFIX_TEST_KILL_TRACE": trace])
        let points = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n").map(String.init)
        let appends = points.indices.filter { points[$0].contains("audit.appended") }
        #expect(appends.count >= 8)
        var passed = 0
        for index in appends {
            let root = try copy(pristine, to: "\(work)/tear-\(index + 1)")
            let problems = try await killAndCheck(scenario, root: root, at: index + 1, tear: true,
                                                  pristine: try hostFiles(pristine), completed: try hostFiles(reference))
            if problems.isEmpty { passed += 1 }
            for problem in problems { Issue.record("torn at kill point \(index + 1) (\(points[index])): \(problem)") }
        }
        print("torn-record test \(scenario.testDescription): \(passed) of \(appends.count) torn records repaired")
        #expect(passed == appends.count)
    }

    /// A kill during the repair itself: the log ends in a torn record, and the run that repairs
    /// it is killed at each point up to its `audit_repair` record (between setting the bytes
    /// aside and cutting the log, after the cut, …). The run after that must still leave a log
    /// that verifies, with the torn bytes kept in `audit.jsonl.torn`, never lost.
    @Test func aKillDuringTheRepairLosesNothing() async throws {
        let scenario = Self.scenarios[0]
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("ctfix-repair-kill-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        // A log torn in the middle of the evidence record (as a kill mid-write leaves it).
        let template = try copy(ExampleHostsPaths.host(scenario.host), to: "\(work)/template")
        let firstTrace = "\(work)/first-trace"
        _ = try await ctfix(runArguments(scenario, "\(work)/template"), ["CTFIX_TEST_KILL_TRACE": firstTrace, "CTFIX_TEST_KILL_AT": "7"])
        #expect(try String(contentsOfFile: firstTrace, encoding: .utf8).contains("7 audit.appended evidence"))
        let torn = try tearLastRecord(template)
        // The repairing run's kill points, up to its audit_repair record's head update.
        let traced = try copy(template, to: "\(work)/traced")
        let trace = "\(work)/trace"
        _ = try await ctfix(runArguments(scenario, traced), ["CTFIX_TEST_KILL_TRACE": trace])
        let points = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n").map(String.init)
        let last = try #require(points.firstIndex { $0.contains("audit.head-updated audit_repair") })
        #expect(points[...last].contains { $0.contains("audit.repair set aside") } && points[...last].contains { $0.contains("audit.repair truncated") })
        var passed = 0
        for n in 1...(last + 1) {
            let root = try copy(template, to: "\(work)/k\(n)")
            let killed = try await ctfix(runArguments(scenario, root), ["CTFIX_TEST_KILL_AT": "\(n)"])
            var problems: [String] = []
            if killed.exitStatus != 137 { problems.append("not killed: \(killed.exitStatus)") }
            let between = try await ctfix(["audit", "verify", "--root", root])
            if between.exitStatus != 0 { problems.append("audit verify after the killed repair: \(between.standardOutput)") }
            _ = try await ctfix(runArguments(scenario, root))
            let verify = try await ctfix(["audit", "verify", "--root", root])
            if verify.exitStatus != 0 || verify.standardOutput.contains("repairable") { problems.append("audit verify: \(verify.standardOutput)") }
            let setAside = FileManager.default.contents(atPath: root + AuditLog.defaultPath + ".torn") ?? Data()
            if setAside.range(of: torn + Data([10])) == nil { problems.append("the torn bytes are not in audit.jsonl.torn") }
            if !(try auditRecords(root)).contains(where: { $0["event"] as? String == "audit_repair" }) && !verify.standardOutput.contains("torn end(s)") {
                problems.append("nothing says a torn end was set aside")
            }
            for problem in problems { Issue.record("repair killed at \(n) (\(points[n - 1])): \(problem)") }
            if problems.isEmpty { passed += 1 }
        }
        print("repair kill test: \(passed) of \(last + 1) kill points passed")
        #expect(passed == last + 1)
    }

    /// Kills a run at point `n` (and with `tear`, cuts its last record in half), checks the host
    /// and the log, runs again, checks again.
    func killAndCheck(_ scenario: Scenario, root: String, at n: Int, tear: Bool = false,
                      pristine: [String: Data], completed: [String: Data]) async throws -> [String] {
        var problems: [String] = []
        let killed = try await ctfix(runArguments(scenario, root), ["CTFIX_TEST_KILL_AT": "\(n)"])
        if killed.exitStatus != 128 + 9 { problems.append("expected death by SIGKILL, got exit \(killed.exitStatus)") }
        let torn = tear ? try tearLastRecord(root) : nil

        // The audit log: verify passes and names the run when its run_start is there.
        let records = try auditRecords(root)
        let runID = records.first { $0["event"] as? String == "run_start" }?["run_id"] as? String
        let ended = records.contains { $0["event"] as? String == "run_end" && $0["run_id"] as? String == runID }
        if let runID {
            let verify = try await ctfix(["audit", "verify", "--root", root])
            if verify.exitStatus != 0 { problems.append("audit verify exited \(verify.exitStatus): \(verify.standardOutput)") }
            if !ended, !verify.standardOutput.contains("run \(runID) (") || !verify.standardOutput.contains("never ended") {
                problems.append("audit verify does not name the interrupted run \(runID): \(verify.standardOutput)")
            }
        }

        // Every file holds its old content or a content the run planned, byte-exact.
        let allowed = plannedContents(records)
        let now = try hostFiles(root)
        for path in Set(now.keys).union(pristine.keys).sorted() {
            let content = now[path]
            if content == pristine[path] { continue }
            guard let options = allowed[path], options.contains(content) else {
                problems.append("\(path) holds neither its old nor a planned new content: \(content.map { String(decoding: $0, as: UTF8.self) } ?? "<absent>")")
                continue
            }
        }
        // The cooldown is on disk whenever anything changed.
        let changed = now != pristine
        let state = try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: root + PolicyState.path))) as? [String: Any]
        let lastRunID = (state?["last_run_ids"] as? [String: String])?[scenario.playbook]
        if changed, lastRunID == nil || lastRunID != runID {
            problems.append("the host was changed but \(PolicyState.path) has no cooldown for this run (\(String(describing: state)))")
        }

        // The next run: repairs, cleans, and never applies a change a second time.
        let second = try await ctfix(runArguments(scenario, root))
        if [12, 137].contains(second.exitStatus) || (second.exitStatus == 14 && !second.standardOutput.contains("cooling down")) {
            problems.append("the next run ended \(second.exitStatus): \(second.standardOutput)\(second.standardError)")
        }
        let after = try hostFiles(root)
        for (path, content) in after where path.hasPrefix("proc/") || path.hasPrefix("sys/") {
            if content != pristine[path], content != completed[path] {
                problems.append("\(path) = \(String(decoding: content, as: UTF8.self)) after the next run: changed twice")
            }
        }
        if let torn {
            let setAside = FileManager.default.contents(atPath: root + AuditLog.defaultPath + ".torn") ?? Data()
            if Data(setAside.suffix(torn.count + 1)) != torn + Data([10]) { problems.append("the torn half record is not in audit.jsonl.torn byte-exact") }
            if !second.standardError.contains("set aside \(torn.count) bytes") { problems.append("the next run did not report the repair: \(second.standardError)") }
        }
        let leftovers = try leftoverTempFiles(root)
        if !leftovers.isEmpty { problems.append("temporary files left after the next run: \(leftovers)") }
        if FileManager.default.fileExists(atPath: root + HostRunLock.holderPath) { problems.append("the holder file outlived the next run") }
        let verifyAgain = try await ctfix(["audit", "verify", "--root", root])
        if verifyAgain.exitStatus != 0 || verifyAgain.standardOutput.contains("repairable") {
            problems.append("after the next run, audit verify: \(verifyAgain.exitStatus) \(verifyAgain.standardOutput)")
        }
        if let runID, !ended, !verifyAgain.standardOutput.contains("run \(runID) (") {
            problems.append("after the next run, audit verify no longer names the interrupted run")
        }
        return problems
    }

    // MARK: Helpers

    /// Cuts the log's last line in half (no line end); returns the half left in the log.
    func tearLastRecord(_ root: String) throws -> Data {
        let path = root + AuditLog.defaultPath
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let end = data.count - 1
        let start = (data[..<end].lastIndex(of: 10) ?? -1) + 1
        let cut = start + (end - start) / 2
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: UInt64(cut))
        try handle.close()
        return Data(data[start..<cut])
    }

    func runArguments(_ scenario: Scenario, _ root: String) -> [String] {
        ["run", ExampleHostsPaths.playbook(scenario.playbook), "--yes", "--no-verify-delay", "--root", root]
    }

    func ctfix(_ arguments: [String], _ environment: [String: String] = [:]) async throws -> CommandResult {
        var env = environment
        env["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin"
        return try await RealKernel.runner.run([try CtfixBinary.path()] + arguments, environment: env,
                                               timeout: .seconds(60), outputLimit: 1 << 20)
    }

    func copy(_ source: String, to target: String) throws -> String {
        try FileManager.default.copyItem(atPath: source, toPath: target)
        return target
    }

    /// Regular files under `etc/`, `proc/`, `sys/` (the host's config and values), relative paths.
    func hostFiles(_ root: String) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for top in ["etc", "proc", "sys"] {
            guard let walker = FileManager.default.enumerator(atPath: "\(root)/\(top)") else { continue }
            while let relative = walker.nextObject() as? String {
                let name = (relative as NSString).lastPathComponent
                if LeftoverTempFiles.ownerPID(ofTemporaryName: name) != nil { continue }
                let path = "\(root)/\(top)/\(relative)"
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
                files["\(top)/\(relative)"] = try Data(contentsOf: URL(fileURLWithPath: path))
            }
        }
        return files
    }

    /// Every `.NAME.ctfix-PID-RAND` file anywhere under the root.
    func leftoverTempFiles(_ root: String) throws -> [String] {
        let walker = FileManager.default.enumerator(atPath: root)
        var found: [String] = []
        while let relative = walker?.nextObject() as? String {
            if LeftoverTempFiles.ownerPID(ofTemporaryName: (relative as NSString).lastPathComponent) != nil { found.append(relative) }
        }
        return found
    }

    /// The complete lines of the root's audit log, parsed.
    func auditRecords(_ root: String) throws -> [[String: Any]] {
        guard let data = FileManager.default.contents(atPath: root + AuditLog.defaultPath) else { return [] }
        return data.split(separator: 10).compactMap { try? JSONSerialization.jsonObject(with: Data($0)) as? [String: Any] }
    }

    /// Relative path → the contents the run's plan may leave there (nil: removed).
    func plannedContents(_ records: [[String: Any]]) -> [String: Set<Data?>] {
        var allowed: [String: Set<Data?>] = [:]
        guard let plan = records.first(where: { $0["event"] as? String == "plan" })?["data"] as? [String: Any],
              let actions = plan["actions"] as? [[String: Any]] else { return allowed }
        for action in actions {
            for entry in action["steps"] as? [[String: Any]] ?? [] {
                let step = entry["step"] as? [String: Any] ?? [:]
                if let value = step["set_value"] as? [String: Any], let path = value["path"] as? String, let after = value["after"] as? String {
                    allowed[String(path.dropFirst()), default: []].insert(Data((after + "\n").utf8))
                } else if let file = step["write_file"] as? [String: Any], let path = file["path"] as? String {
                    allowed[String(path.dropFirst()), default: []].insert((file["after"] as? String).map { Data($0.utf8) })
                } else if let trigger = step["trigger"] as? [String: Any], let path = trigger["path"] as? String, let value = trigger["value"] as? String {
                    allowed[String(path.dropFirst()), default: []].insert(Data((value + "\n").utf8))
                }
            }
        }
        return allowed
    }
}
