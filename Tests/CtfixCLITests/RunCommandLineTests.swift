import CtfixCore
import Foundation
import Testing

/// `ctfix run`, `check`, `validate`, `audit` and `rollback` as an operator or automation
/// calls them: the built binary, copies of the example hosts, real terminals through `script`.
@Suite(.serialized)
struct RunCommandLineTests {
    static func scriptAvailable() -> Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/script") }

    /// Runs ctfix under a real pseudo-terminal (`script`), typing `answers`.
    /// (Without colour: these tests read the words; TerminalExperienceTests reads the colours.)
    func runInTerminal(_ arguments: [String], answers: [String]) async throws -> CommandResult {
        let command = ([try CtfixBinary.path()] + arguments).map { "'\($0)'" }.joined(separator: " ")
        let input = answers.map { $0 + "\n" }.joined()
        return try await RealKernel.runner.run(
            ["bash", "-c", "sleep 0.3; printf '\(input)' | script -qec \"env NO_COLOR=1 \(command)\" /dev/null"], timeout: .seconds(60))
    }

    @Test func checkFiresOnTheSeedHostAndNotOnTheHealthyOne() async throws {
        let seed = try await CtfixBinary.run(["check", ExampleHostsPaths.playbook("table-full"), "--root", ExampleHostsPaths.host("centos5-ip-conntrack")])
        #expect(seed.exitStatus == 2)
        #expect(seed.standardOutput.hasPrefix("CTFIX CRITICAL - firing: table-full"))
        #expect(seed.standardOutput.contains("| log_matches=114 conntrack_usage=100%;75;90"))
        #expect(seed.standardOutput.contains("(+98 suppressed)"))
        let healthy = try await CtfixBinary.run(["check", ExampleHostsPaths.playbook("table-full"), "--root", ExampleHostsPaths.host("debian-healthy")])
        #expect(healthy.exitStatus == 0)
        #expect(healthy.standardOutput.hasPrefix("CTFIX OK"))
    }

    @Test func checkReadsPastedLogsWithLog() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ctfix-log-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let pasted = "\(directory)/dmesg.txt"
        try "nf_conntrack: table full, dropping packet.\nnf_conntrack: table full, dropping packet.\n".write(toFile: pasted, atomically: true, encoding: .utf8)
        let result = try await CtfixBinary.run(["check", ExampleHostsPaths.playbook("table-full"), "--root", ExampleHostsPaths.host("debian-healthy"),
                                                "--log", pasted, "--json"])
        #expect(result.exitStatus == 2)
        let report = try CtfixBinary.json(result)
        #expect(report["firing"] as? Bool == true)
        #expect(report["playbook"] as? String == ExampleHostsPaths.playbook("table-full"))
        let missing = try await CtfixBinary.run(["check", ExampleHostsPaths.playbook("table-full"), "--log", "/nonexistent/dmesg"])
        #expect(missing.exitStatus == 3)
    }

    @Test func invalidInputGetsPlacesAndDistinctStatuses() async throws {
        let directory = try TrustedScratch.directory("ctfix-bad") // not in /tmp: refused as root
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let bad = "\(directory)/bad.yaml"
        try TrustedScratch.write("version: 1\nname: bad\nsummary: x\ndetect:\n  log:\n    pattern: '(unclosed'\nactions: []\n", to: bad)
        let validate = try await CtfixBinary.run(["validate", bad])
        #expect(validate.exitStatus == 65)
        #expect(validate.standardError.contains("\(bad):6:14: error: pattern is not a valid regular expression"))
        #expect(validate.standardError.contains("\(bad):7:10: error: 'actions' must list at least one action"))
        let run = try await CtfixBinary.run(["run", bad, "--dry-run"])
        #expect(run.exitStatus == 65)
        let missing = try await CtfixBinary.run(["validate", "\(directory)/none.yaml"])
        #expect(missing.exitStatus == 66)
        let check = try await CtfixBinary.run(["check", bad])
        #expect(check.exitStatus == 3)
        let badSet = try await CtfixBinary.run(["run", ExampleHostsPaths.playbook("table-full"), "--dry-run", "--set", "usage_threshold=lots"])
        #expect(badSet.exitStatus == 65)
        #expect(badSet.standardError.contains("usage_threshold"))
    }

    @Test func withoutATerminalRunRefusesAtOnceAndChangesNothing() async throws {
        let host = try ExampleHostsPaths.copy("centos5-ip-conntrack")
        let result = try await CtfixBinary.run(["run", ExampleHostsPaths.playbook("table-full"), "--root", host], timeout: .seconds(20))
        #expect(result.exitStatus == ExitStatus.refused.rawValue)
        #expect(result.standardOutput.contains("no terminal"))
        #expect(try String(contentsOfFile: "\(host)/proc/sys/net/ipv4/netfilter/ip_conntrack_max", encoding: .utf8) == "16640\n")
    }

    @Test(.enabled(if: scriptAvailable(), "needs script(1)"))
    func promptsOnARealTerminal() async throws {
        let host = try ExampleHostsPaths.copy("centos5-ip-conntrack")
        let base = ["run", ExampleHostsPaths.playbook("table-full"), "--root", host, "--no-verify-delay"]
        let quit = try await runInTerminal(base, answers: ["q"])
        #expect(quit.standardOutput.contains("[y]es / [n]o / [a]ll / [q]uit"))
        #expect(quit.standardOutput.contains("outcome: declined"))
        #expect(try String(contentsOfFile: "\(host)/proc/sys/net/ipv4/netfilter/ip_conntrack_max", encoding: .utf8) == "16640\n")

        let yesNo = try await runInTerminal(base, answers: ["y", "n"])
        #expect(yesNo.standardOutput.contains("applied raise-conntrack-max"), "\(yesNo.standardOutput)")
        #expect(!yesNo.standardOutput.contains("applied halve-established-timeout"))
        #expect(try String(contentsOfFile: "\(host)/proc/sys/net/ipv4/netfilter/ip_conntrack_tcp_timeout_established", encoding: .utf8) == "432000\n")
        let rollbackID = try #require(yesNo.standardOutput.split(separator: "(run ").last?.split(separator: ",").first.map(String.init))
        #expect(try await CtfixBinary.run(["rollback", rollbackID, "--root", host, "--yes"]).exitStatus == 0)

        let all = try await runInTerminal(base, answers: ["a"])
        #expect(all.standardOutput.contains("outcome: unverified"), "\(all.standardOutput)") // a snapshot copy's counters cannot be measured again after the actions
        #expect(try String(contentsOfFile: "\(host)/proc/sys/net/ipv4/netfilter/ip_conntrack_max", encoding: .utf8) == "65536\n")
    }

    @Test(.enabled(if: scriptAvailable(), "needs script(1)"))
    func aDestructiveActionWantsTheHostNameOnARealTerminal() async throws {
        let host = try ExampleHostsPaths.copy("centos5-ip-conntrack")
        let result = try await runInTerminal(["run", ExampleHostsPaths.playbook("unload-conntrack"), "--root", host], answers: ["y", "y", "not-this-host"])
        #expect(result.standardOutput.contains("Type the host name (server) to confirm"))
        #expect(result.standardOutput.contains("host name does not match"))
        #expect(try String(contentsOfFile: "\(host)/etc/sysconfig/iptables-config", encoding: .utf8).contains("#IPTABLES_MODULES=\"ip_conntrack_netbios_ns\""))
    }

    @Test func yesThenRollbackRestoresTheSeedHostExactly() async throws {
        let host = try ExampleHostsPaths.copy("centos5-ip-conntrack")
        let run = try await CtfixBinary.run(["run", ExampleHostsPaths.playbook("table-full"), "--root", host, "--yes", "--json", "--no-verify-delay"])
        #expect(run.exitStatus == ExitStatus.unverified.rawValue, "\(run.standardOutput)") // a snapshot copy's counters cannot be measured again after the actions
        let report = try CtfixBinary.json(run)
        let actions = try #require(report["actions"] as? [[String: Any]])
        #expect(actions.map { $0["before"] as? String } == ["16640", "432000"])
        #expect(actions.map { $0["after"] as? String } == ["65536", "216000"])
        #expect(actions.map { $0["status"] as? String } == ["applied", "applied"])
        let conf = try String(contentsOfFile: "\(host)/etc/sysctl.conf", encoding: .utf8)
        #expect(conf.hasSuffix("kernel.shmall = 4294967296\nnet.ipv4.netfilter.ip_conntrack_max = 65536\nnet.ipv4.netfilter.ip_conntrack_tcp_timeout_established = 216000\n"))
        #expect(try await CtfixBinary.run(["audit", "verify", "--root", host]).exitStatus == 0)

        let rollback = try await CtfixBinary.run(["rollback", try #require(report["run_id"] as? String), "--root", host, "--yes"])
        #expect(rollback.exitStatus == 0, "\(rollback.standardOutput)")
        for file in ["proc/sys/net/ipv4/netfilter/ip_conntrack_max", "proc/sys/net/ipv4/netfilter/ip_conntrack_tcp_timeout_established",
                     "sys/module/ip_conntrack/parameters/hashsize", "etc/sysctl.conf"] {
            #expect(try String(contentsOfFile: "\(host)/\(file)", encoding: .utf8)
                    == String(contentsOfFile: "\(ExampleHostsPaths.host("centos5-ip-conntrack"))/\(file)", encoding: .utf8), "\(file)")
        }
        #expect(try await CtfixBinary.run(["audit", "verify", "--root", host]).exitStatus == 0)
    }

    @Test func cooldownHoldsAcrossTwoProcesses() async throws {
        let host = try ExampleHostsPaths.copy("centos5-ip-conntrack")
        let arguments = ["run", ExampleHostsPaths.playbook("table-full"), "--root", host, "--yes", "--force", "--no-verify-delay"]
        let first = try await CtfixBinary.run(arguments)
        #expect([ExitStatus.ok.rawValue, ExitStatus.notRemediated.rawValue, ExitStatus.unverified.rawValue].contains(first.exitStatus), "\(first.standardOutput)")
        let second = try await CtfixBinary.run(arguments)
        #expect(second.exitStatus == ExitStatus.refused.rawValue)
        #expect(second.standardOutput.contains("cooling down"))
    }

    @Test func sigkillMidRunLeavesAVerifiableLogAndAnInterruptedRun() async throws {
        let host = try ExampleHostsPaths.copy("centos5-ip-conntrack")
        let scratch = try TrustedScratch.directory("ctfix-slow") // not in /tmp: refused as root
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let playbook = "\(scratch)/slow.yaml"
        try TrustedScratch.write("""
        version: 1
        name: slow
        summary: Raise max, then wait long before verifying, to be killed in between.
        detect:
          value:
            sysctl: net.ipv4.netfilter.ip_conntrack_max
            above: 0
        actions:
          - name: raise
            explain: Raise the table size.
            risk: safe
            sysctl:
              key: net.ipv4.netfilter.ip_conntrack_max
              set: 65536
        verify:
          delay: 37s
        """, to: playbook)
        // (Changed deliberately: the slow step used to be a `sleep` command, which under --root
        // is now simulated, never run; the verify delay is the slow part instead.)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try CtfixBinary.path())
        process.arguments = ["run", playbook, "--root", host, "--yes"]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let log = "\(host)/var/log/ctfix/audit.jsonl"
        for _ in 0..<200 {
            if let text = try? String(contentsOfFile: log, encoding: .utf8), text.contains("\"event\":\"outcome\"") { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()

        let verify = try await CtfixBinary.run(["audit", "verify", "--root", host])
        #expect(verify.exitStatus == 0, "\(verify.standardOutput)")
        #expect(verify.standardOutput.contains("never ended: interrupted or killed; last record: outcome of action raise"))
        let show = try await CtfixBinary.run(["audit", "show", "--root", host])
        #expect(show.standardOutput.contains("outcome action=raise status=applied"))
        #expect(try String(contentsOfFile: "\(host)/proc/sys/net/ipv4/netfilter/ip_conntrack_max", encoding: .utf8) == "65536\n")
    }
}
