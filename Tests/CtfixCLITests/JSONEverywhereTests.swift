import CtfixCore
import Foundation
import Testing

/// issue 10, item 3: every command honours `--json`, errors included (one JSON object on
/// standard output with the exit status), and every key and enum value in the output and in
/// the audit log is snake_case, one spelling per concept. These tests run the real binary
/// against copies of the example hosts and walk everything it prints and records.
@Suite struct JSONEverywhereTests {
    /// Keys whose string values are enum values (an outcome, a status, a mode…), which must be
    /// snake_case like the keys. Free-text keys (`result`, `detail`, `message`…) are not here.
    static let enumKeys: Set<String> = ["status", "outcome", "mode", "kind", "decision", "state", "severity", "event", "risk",
                                        "skip", "detection", "era", "module_state", "direction", "on_failure"]

    static func isSnakeCase(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { (97...122).contains($0) || (48...57).contains($0) || $0 == 95 }
    }

    /// Every key that is not snake_case and every enum value (of `enumKeys`) that is not, with
    /// where it was found.
    static func violations(_ value: Any, at path: String = "$") -> [String] {
        switch value {
        case let object as [String: Any]:
            return object.sorted { $0.key < $1.key }.flatMap { key, child -> [String] in
                var found: [String] = []
                if !isSnakeCase(key) { found.append("key '\(key)' at \(path)") }
                if enumKeys.contains(key), let text = child as? String, !isSnakeCase(text) { found.append("\(key): '\(text)' at \(path)") }
                return found + violations(child, at: "\(path).\(key)")
            }
        case let array as [Any]:
            return array.flatMap { violations($0, at: "\(path)[]") }
        default:
            return []
        }
    }

    /// The JSON values of `text`: one document, or JSON Lines. Fails on anything else.
    static func documents(_ text: String, _ what: String) throws -> [Any] {
        if let whole = try? JSONSerialization.jsonObject(with: Data(text.utf8)) { return [whole] }
        return try text.split(separator: "\n").map { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) else {
                Issue.record("\(what): not JSON: \(line.prefix(200))")
                throw CancellationError()
            }
            return object
        }
    }

    /// Runs `ctfix ARGS… --json`, checks the status, and returns the documents it printed after
    /// checking them for snake_case.
    @discardableResult
    static func json(_ arguments: [String], status: Int32, _ sourceLocation: SourceLocation = #_sourceLocation) async throws -> [Any] {
        let result = try await CtfixBinary.run(arguments + ["--json"], timeout: .seconds(120))
        let what = (["ctfix"] + arguments + ["--json"]).joined(separator: " ")
        #expect(result.exitStatus == status, "\(what): \(result.standardOutput.prefix(2000))\(result.standardError.prefix(2000))",
                sourceLocation: sourceLocation)
        let documents = try documents(result.standardOutput, what)
        #expect(!documents.isEmpty, "\(what) printed nothing on standard output", sourceLocation: sourceLocation)
        for document in documents {
            #expect(violations(document) == [], "\(what)", sourceLocation: sourceLocation)
        }
        return documents
    }

    /// A failing command under `--json` prints `{"error": {...}, "exit_status": N}` with N its
    /// own exit status.
    static func error(_ arguments: [String], status: CtfixCore.ExitStatus, kind: String,
                      _ sourceLocation: SourceLocation = #_sourceLocation) async throws -> [String: Any] {
        let documents = try await json(arguments, status: status.rawValue, sourceLocation)
        let object = try #require(documents.first as? [String: Any], sourceLocation: sourceLocation)
        #expect(documents.count == 1, sourceLocation: sourceLocation)
        #expect((object["exit_status"] as? Int).map(Int32.init) == status.rawValue, "\(object)", sourceLocation: sourceLocation)
        let error = try #require(object["error"] as? [String: Any], "\(object)", sourceLocation: sourceLocation)
        #expect(error["kind"] as? String == kind, "\(error)", sourceLocation: sourceLocation)
        #expect(!((error["message"] as? String) ?? "").isEmpty, "\(error)", sourceLocation: sourceLocation)
        return error
    }

    static func auditRecords(_ path: String) throws -> [Any] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8))
        }
    }

    @Test func everyCommandPrintsSnakeCaseJSONAndSoDoesTheAuditLog() async throws {
        let host = try ExampleHostsPaths.copy("ubuntu-table-full")
        let playbook = ExampleHostsPaths.playbook("table-full")
        let audit = "\(host)/var/log/ctfix/audit.jsonl"
        try await Self.json(["run", playbook, "--root", host, "--dry-run"], status: 0)
        // A full, non-dry run on the copy: every action applied (the copy's counters cannot be
        // measured again, so the outcome is unverified, 16).
        let run = try #require(try await Self.json(["run", playbook, "--root", host, "--yes", "--no-verify-delay"],
                                                   status: ExitStatus.unverified.rawValue).first as? [String: Any])
        #expect(run["mode"] as? String == "unattended" && run["outcome"] as? String == "unverified")
        let runID = try #require(run["run_id"] as? String)
        try await Self.json(["check", playbook, "--root", host], status: ExitStatus.critical.rawValue)
        try await Self.json(["status", "--root", host], status: 0)
        try await Self.json(["validate", playbook], status: 0)
        try await Self.json(["list"], status: 0)
        let rollback = try #require(try await Self.json(["rollback", runID, "--root", host, "--yes"], status: 0).first as? [String: Any])
        #expect(rollback["outcome"] as? String == "rolled_back" && rollback["run_id"] as? String == runID, "\(rollback)")
        #expect((rollback["steps"] as? [[String: Any]])?.allSatisfy { $0["status"] as? String == "restored" } == true, "\(rollback)")
        #expect(try String(contentsOfFile: "\(host)/proc/sys/net/netfilter/nf_conntrack_max", encoding: .utf8) == "262144\n")
        let again = try #require(try await Self.json(["rollback", runID, "--root", host, "--yes"], status: 0).first as? [String: Any])
        #expect(again["outcome"] as? String == "already_rolled_back", "\(again)")
        let watch = try await Self.json(["watch", "--once", playbook, "--root", host, "--dry-run"], status: 0)
        let events = watch.compactMap { ($0 as? [String: Any])?["event"] as? String }
        #expect(events.first == "watch_start" && events.last == "watch_summary" && events.contains("watch_stop"), "\(events)")
        #expect((watch.last as? [String: Any])?["exit_status"] as? Int == 0)
        try await Self.json(["snapshot", try TrustedScratch.directory("json-snapshot") + "/capture", "--root", host], status: 0)
        try await Self.json(["audit", "show", "--root", host], status: 0)
        try await Self.json(["audit", "verify", "--root", host], status: 0)

        let records = try Self.auditRecords(audit)
        #expect(records.count > 10)
        for (index, record) in records.enumerated() {
            #expect(Self.violations(record) == [], "audit record \(index + 1)")
        }
        // The dry-run's mode and outcome are one spelling: dry_run.
        let modes = records.compactMap { (($0 as? [String: Any])?["data"] as? [String: Any])?["mode"] as? String }
        #expect(modes.contains("dry_run") && !modes.contains("dry-run"), "\(modes)")
    }

    /// Every shipped playbook on every example host, for real under `--root` (commands and
    /// reboots simulated, destructive steps allowed): the plan steps of every kind, the
    /// evidence of every predicate kind, and the audit log they leave.
    @Test(arguments: ["centos5-ip-conntrack", "centos6-alloc-failure", "debian-healthy", "ubuntu-table-full"])
    func everyShippedPlaybookOnEveryExampleHost(host name: String) async throws {
        let host = try ExampleHostsPaths.copy(name)
        for playbook in ["table-full", "alloc-failure", "unload-conntrack"] {
            let path = ExampleHostsPaths.playbook(playbook)
            let check = try await CtfixBinary.run(["check", path, "--root", host, "--json"])
            for document in try Self.documents(check.standardOutput, "check \(playbook) on \(name)") {
                #expect(Self.violations(document) == [], "check \(playbook) on \(name)")
            }
            let run = try await CtfixBinary.run(["run", path, "--root", host, "--yes", "--allow-destructive", "--no-verify-delay", "--force", "--json"],
                                                timeout: .seconds(120))
            let report = try CtfixBinary.json(run)
            #expect(Self.violations(report) == [], "run \(playbook) on \(name)")
            #expect(report["exit_status"] == nil && report["outcome"] is String, "a report, not an error: \(report)")
        }
        try await Self.json(["status", "--root", host], status: 0)
        try await Self.json(["audit", "show", "--root", host], status: 0)
        for (index, record) in try Self.auditRecords("\(host)/var/log/ctfix/audit.jsonl").enumerated() {
            #expect(Self.violations(record) == [], "\(name): audit record \(index + 1)")
        }
    }

    @Test func errorsAreOneJSONObjectWithTheExitStatus() async throws {
        let host = try ExampleHostsPaths.copy("ubuntu-table-full")
        let playbook = ExampleHostsPaths.playbook("table-full")
        // A usage error from the parser, before any command ran.
        _ = try await Self.error(["run", playbook, "--no-such-option"], status: .usage, kind: "usage")
        _ = try await Self.error(["rollback"], status: .usage, kind: "usage")
        // A malformed --set.
        _ = try await Self.error(["run", playbook, "--root", host, "--dry-run", "--set", "=1"], status: .usage, kind: "usage")
        // No such run: nothing on standard output before this issue.
        let missingRun = try await Self.error(["rollback", "nonexistent", "--root", host], status: .noInput, kind: "no_input")
        #expect((missingRun["message"] as? String)?.contains("nonexistent") == true, "\(missingRun)")
        _ = try await Self.error(["run", "no-such-playbook-anywhere", "--dry-run"], status: .noInput, kind: "no_input")
        // A parse error names its place as file:line:col.
        let directory = try TrustedScratch.directory("json-errors")
        try TrustedScratch.write("version: 1\nname: broken\nsummary: x\ndetect:\n  value:\n    sysctl: net.netfilter.nf_conntrack_max\n    abuv: 1\n",
                                 to: "\(directory)/broken.yaml")
        let parse = try await Self.error(["run", "\(directory)/broken.yaml", "--root", host, "--dry-run"], status: .invalidInput, kind: "invalid_input")
        let location = try #require(parse["location"] as? String, "\(parse)")
        #expect(location.hasPrefix("\(directory)/broken.yaml:") && location.split(separator: ":").count == 3, "\(location)")
        _ = try await Self.error(["run", playbook, "--root", host, "--dry-run", "--set", "usage_threshold=lots"],
                                 status: .invalidInput, kind: "invalid_input")
        _ = try await Self.error(["audit", "show", "--root", host, "--run", "nonexistent"], status: .noInput, kind: "no_input")
        // serve's start-up errors and snapshot's refusals are commands' errors like any other.
        _ = try await Self.error(["serve", "--config", "\(directory)/no-such-routes.yaml", "--root", host], status: .noInput, kind: "no_input")
        _ = try await Self.error(["snapshot", host, "--root", host], status: .usage, kind: "usage")
        // Nothing was changed by any of them.
        #expect(try String(contentsOfFile: "\(host)/proc/sys/net/netfilter/nf_conntrack_max", encoding: .utf8) == "262144\n")
    }

    /// A Nagios plugin that prints nothing shows "(No output)": every failure of `check` is an
    /// UNKNOWN line with the reason, exit 3, even a usage error.
    @Test(arguments: [["--set", "typo=1"], ["--set", "no-equals-sign"], ["--no-such-option"], ["--log", "/nonexistent/kern.log"],
                      ["--now", "yesterday-ish"]])
    func checkAlwaysPrintsANagiosLine(extra: [String]) async throws {
        let host = try ExampleHostsPaths.copy("ubuntu-table-full")
        let result = try await CtfixBinary.run(["check", ExampleHostsPaths.playbook("table-full"), "--root", host] + extra)
        #expect(result.exitStatus == ExitStatus.unknown.rawValue, "\(extra): \(result.standardOutput)\(result.standardError)")
        let lines = result.standardOutput.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].hasPrefix("CTFIX UNKNOWN - ") && lines[0].count > 20, "\(extra): \(result.standardOutput)")
    }

    @Test func checkWithoutPlaybooksIsUnknownNotAUsageError() async throws {
        let result = try await CtfixBinary.run(["check"])
        #expect(result.exitStatus == ExitStatus.unknown.rawValue)
        #expect(result.standardOutput.hasPrefix("CTFIX UNKNOWN - "), "\(result.standardOutput)")
        let json = try await CtfixBinary.run(["check", "--json"])
        #expect(json.exitStatus == ExitStatus.unknown.rawValue)
        #expect((try CtfixBinary.json(json)["exit_status"] as? Int) == 3)
    }

    /// An audit log written before issue 10 (camelCase step kinds and fields, `mode: dry-run`)
    /// still verifies, shows and rolls back: the reader accepts the old spellings.
    @Test func anAuditLogWithTheOldSpellingsStillRollsBack() async throws {
        let host = try ExampleHostsPaths.copy("ubuntu-table-full")
        let run = try await CtfixBinary.run(["run", ExampleHostsPaths.playbook("table-full"), "--root", host, "--yes", "--no-verify-delay", "--json"])
        let runID = try #require(try CtfixBinary.json(run)["run_id"] as? String)
        // Re-chain the same records with the spellings of the previous version.
        let fileSystem = try RootedFileSystem(root: "/")
        let current = try AuditLog(fileSystem: fileSystem, path: "\(host)/var/log/ctfix/audit.jsonl").records()
        let oldPath = "\(host)/old-audit.jsonl"
        let old = AuditLog(fileSystem: fileSystem, path: oldPath)
        for record in current {
            _ = try old.append(event: record.event, runID: record.runID, time: record.time, fields: record.fields.mapValues(Self.oldSpelling))
        }
        let oldText = try String(contentsOfFile: oldPath, encoding: .utf8)
        #expect(oldText.contains("\"setValue\"") && oldText.contains("\"writeFile\"") && !oldText.contains("\"set_value\""))
        #expect(try await CtfixBinary.run(["audit", "verify", "--audit-log", oldPath]).exitStatus == 0)
        try await Self.json(["audit", "show", "--audit-log", oldPath], status: 0)
        let rollback = try #require(try await Self.json(["rollback", runID, "--root", host, "--yes", "--audit-log", oldPath], status: 0).first
                                    as? [String: Any])
        #expect(rollback["outcome"] as? String == "rolled_back", "\(rollback)")
        #expect(try String(contentsOfFile: "\(host)/proc/sys/net/netfilter/nf_conntrack_max", encoding: .utf8) == "262144\n")
        #expect(!FileManager.default.fileExists(atPath: "\(host)/etc/sysctl.d/90-ctfix-conntrack.conf"))
    }

    /// The previous version's spellings: camelCase step kinds and fields, `mode: dry-run`.
    static func oldSpelling(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let object):
            return .object(Dictionary(uniqueKeysWithValues: object.map { key, child in
                let camel = key.split(separator: "_").enumerated()
                    .map { $0.offset == 0 ? String($0.element) : $0.element.prefix(1).uppercased() + $0.element.dropFirst() }.joined()
                let renamed = ["set_value", "write_file", "set_namespace_value", "run_command", "timeout_seconds", "delay_seconds"].contains(key) ? camel : key
                return (renamed, key == "mode" && child == "dry_run" ? "dry-run" : oldSpelling(child))
            }))
        case .array(let array): return .array(array.map(oldSpelling))
        default: return value
        }
    }
}
