import CtfixCore
import Foundation
import Testing

/// The Event-Driven Ansible rulebook and the Ansible playbook that runs `ctfix run --yes`:
/// parsed always; with ansible-playbook on the machine, run for real on localhost against
/// copies of the example hosts, and with a stand-in binary for the statuses a fake host
/// cannot produce, to show how each ctfix exit status becomes an Ansible outcome.
@Suite(.serialized) struct DeployAnsibleTests {
    static let rulebook = "ansible/rulebook.yml"
    static let playbook = "ansible/ctfix-run.yml"

    @Test func rulebookListensToAlertmanagerAndRunsThePlaybookBesideIt() throws {
        let ruleset = YAMLPath(file: Self.rulebook, value: try DeployFiles.yaml(Self.rulebook))[0]
        let source = ruleset["sources"][0]["ansible.eda.alertmanager"]
        #expect(try source["host"].string() == "127.0.0.1", "the alertmanager source has no authentication")
        #expect(try source["data_host_path"].string() == "labels.instance")
        let rule = ruleset["rules"][0]
        let condition = try rule["condition"].string()
        #expect(condition.contains("event.alert.labels.remediation == \"ctfix\""))
        #expect(condition.contains("event.alert.status == \"firing\""))
        let name = try rule["action"]["run_playbook"]["name"].string()
        #expect(FileManager.default.fileExists(atPath: DeployFiles.path("ansible/\(name)")))
        // Only keys ansible-rulebook's ruleset schema allows (it rejects any other).
        #expect(Set(Self.keys(ruleset)).isSubset(of: ["name", "hosts", "gather_facts", "sources", "rules"]))
        #expect(Set(Self.keys(rule)).isSubset(of: ["name", "condition", "action", "actions", "throttle"]))
        #expect(Set(Self.keys(rule["action"]["run_playbook"])).isSubset(of: [
            "name", "copy_files", "post_events", "set_facts", "ruleset", "verbosity", "var_root", "json_mode",
            "retry", "retries", "delay", "extra_vars",
        ]))
    }

    static func keys(_ node: YAMLPath) -> [String] { (node.value as? [String: Any]).map { Array($0.keys) } ?? [] }

    /// README "Exit statuses" → 0 and 2 (--detailed-exitcodes: remediated) ok, 11/15/16 ok with a warning, 13/14 not run, the rest fail.
    @Test func exitStatusesMapAsTheReadmeDefinesThem() throws {
        let tasks = YAMLPath(file: Self.playbook, value: try DeployFiles.yaml(Self.playbook))[0]["tasks"]
        let run = try #require(try tasks.list().first { $0["ansible.builtin.command"].exists })
        #expect(try run["failed_when"].string() == "ctfix.rc not in [0, 2, 11, 13, 14, 15, 16]")
        #expect(try run["changed_when"].string() == "ctfix.rc in [2, 11, 15, 16]")
        #expect(try run["ansible.builtin.command"]["argv"].string().contains("'--yes'"))
        #expect(try run["ansible.builtin.command"]["argv"].string().contains("'--detailed-exitcodes'"))
        let readme = try String(contentsOf: PackagePaths.root.appendingPathComponent("README.md"), encoding: .utf8)
        let table = try #require(readme.components(separatedBy: "### Exit statuses").dropFirst().first)
        let documented = Set(table.split(separator: "\n").compactMap { line -> Int32? in
            guard line.hasPrefix("| ") else { return nil }
            return Int32(line.dropFirst(2).prefix { $0.isNumber })
        })
        for status in CtfixCore.ExitStatus.documented {
            #expect(documented.contains(status.rawValue), "README does not document \(status.rawValue)")
        }
    }

    static func ansiblePlaybook(_ extraVars: [String: Any]) async throws -> CommandResult {
        let vars = String(decoding: try JSONSerialization.data(withJSONObject: extraVars.merging([
            "ansible_become": false, "ansible_python_interpreter": "{{ ansible_playbook_python }}",
        ]) { old, _ in old }), as: UTF8.self)
        return try await DeployTools.run([DeployTools.find("ansible-playbook")!, "-i", "localhost,", "-c", "local",
                                          DeployFiles.path(Self.playbook), "-e", vars], timeout: .seconds(300))
    }

    static func recap(_ result: CommandResult) -> String {
        result.standardOutput.split(separator: "\n").first { $0.hasPrefix("localhost") && $0.contains("ok=") }.map(String.init) ?? ""
    }

    @Test(.enabled(if: DeployTools.available("ansible-playbook"), "needs ansible-playbook (pip install ansible-core)"))
    func realRunsOnTheExampleHosts() async throws {
        let binary = try CtfixBinary.path()
        let seed = try ExampleHostsPaths.copy("centos5-ip-conntrack")
        let remediated = try await Self.ansiblePlaybook([
            "ctfix_binary": binary, "ctfix_playbook": "table-full",
            "ctfix_arguments": ["--root", seed, "--no-verify-delay", "--audit-log", "\(seed)/audit.jsonl"],
        ])
        #expect(remediated.exitStatus == 0, "\(remediated.standardOutput)\(remediated.standardError)")
        #expect(Self.recap(remediated).contains("changed=1"), "\(remediated.standardOutput)")
        #expect(try String(contentsOfFile: "\(seed)/proc/sys/net/ipv4/netfilter/ip_conntrack_max", encoding: .utf8) == "65536\n")

        let healthy = try ExampleHostsPaths.copy("debian-healthy")
        let nothing = try await Self.ansiblePlaybook([
            "ctfix_binary": binary, "ctfix_playbook": "table-full",
            "ctfix_arguments": ["--root", healthy, "--audit-log", "\(healthy)/audit.jsonl"],
        ])
        #expect(nothing.exitStatus == 0, "\(nothing.standardOutput)")
        #expect(Self.recap(nothing).contains("changed=0") && Self.recap(nothing).contains("failed=0"))

        let hostile = try await Self.ansiblePlaybook(["ctfix_binary": binary, "ctfix_playbook": "../../etc/passwd"])
        #expect(hostile.exitStatus != 0)
        #expect(hostile.standardOutput.contains("ctfix_playbook must be a playbook name"))
    }

    /// Statuses a fake host cannot be driven to on demand, from a stand-in that exits with them.
    @Test(.enabled(if: DeployTools.available("ansible-playbook"), "needs ansible-playbook (pip install ansible-core)"),
          arguments: [(Int32(2), "ok", "changed: [localhost]"), (10, "failed", ""), (11, "ok", "WARNING: ctfix table-full"), (15, "ok", "ended partial"), (16, "ok", "ended unverified"),
                      (17, "failed", ""), (13, "ok", "did not run (exit 13)"),
                      (14, "ok", "did not run (exit 14)"), (12, "failed", ""), (75, "failed", ""), (65, "failed", "")])
    func eachStatusBecomesTheRightOutcome(status: Int32, outcome: String, message: String) async throws {
        let directory = try DeployFiles.temporaryDirectory("ctfix-standin")
        let standIn = "\(directory)/ctfix"
        try "#!/bin/sh\necho \"stand-in ctfix $*\"\nexit \(status)\n".write(toFile: standIn, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: standIn)
        let result = try await Self.ansiblePlaybook(["ctfix_binary": standIn, "ctfix_playbook": "table-full"])
        let recap = Self.recap(result)
        if outcome == "failed" {
            #expect(result.exitStatus != 0)
            #expect(recap.contains("failed=1"), "\(result.standardOutput)")
        } else {
            #expect(result.exitStatus == 0, "\(result.standardOutput)")
            #expect(recap.contains("failed=0"))
            #expect(result.standardOutput.contains(message), "\(result.standardOutput)")
        }
    }

    /// ansible-lint (Debian package `ansible-lint`, offline: no collection is installed) on a
    /// copy of both files, at its strictest profile: no violation, no warning.
    static func lint(_ files: [String: String]) async throws -> CommandResult {
        let directory = try DeployFiles.temporaryDirectory("ctfix-ansible-lint")
        for (name, text) in files { try text.write(toFile: "\(directory)/\(name)", atomically: true, encoding: .utf8) }
        return try await DeployTools.run([DeployTools.find("ansible-lint")!, "--offline", "--nocolor", "--profile", "production"]
                                         + files.keys.sorted(), timeout: .seconds(300), in: directory)
    }

    @Test(.enabled(if: DeployTools.available("ansible-lint"), "needs ansible-lint (Debian package ansible-lint)"))
    func ansibleLintAcceptsThePlaybookAndTheRulebook() async throws {
        let result = try await Self.lint(["ctfix-run.yml": try DeployFiles.text(Self.playbook),
                                          "rulebook.yml": try DeployFiles.text(Self.rulebook)])
        #expect(result.exitStatus == 0, "\(result.standardOutput)\(result.standardError)")
        #expect((result.standardOutput + result.standardError).contains("0 failure(s), 0 warning(s) on 2 files"),
                "\(result.standardOutput)\(result.standardError)")
    }

    /// The check is real: a task without a name and a bare `command` (not the FQCN) are reported.
    @Test(.enabled(if: DeployTools.available("ansible-lint"), "needs ansible-lint (Debian package ansible-lint)"))
    func ansibleLintCatchesAMistake() async throws {
        let broken = try DeployFiles.text(Self.playbook)
            .replacingOccurrences(of: "ansible.builtin.command:", with: "command:")
        let result = try await Self.lint(["ctfix-run.yml": broken])
        #expect(result.exitStatus != 0)
        #expect((result.standardOutput + result.standardError).contains("fqcn"), "\(result.standardOutput)\(result.standardError)")
    }
}
