import CtfixCore
import Foundation
import Testing

/// The run invariants attacked through the built binary: containment under `--root` with
/// recording fakes on PATH, prompts on a real pseudo-terminal (python3's pexpect), signals.
@Suite(.serialized)
struct RunSafetyCommandLineTests {
    /// The python3 on the test's PATH that has pexpect (ctfix's runner clears PATH, so the
    /// interpreter is found here once, by path).
    static let python: String? = {
        let process = Process()
        let pipe = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import pexpect, sys; print(sys.executable)"]
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }()

    static func pexpectAvailable() -> Bool { python != nil }

    static func temporaryDirectory(_ prefix: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func auditRecords(_ host: String) throws -> [[String: Any]] {
        try String(contentsOfFile: "\(host)/var/log/ctfix/audit.jsonl", encoding: .utf8).split(separator: "\n").compactMap {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    static func runEnd(_ host: String) throws -> [String: Any]? {
        try auditRecords(host).last { $0["event"] as? String == "run_end" }?["data"] as? [String: Any]
    }

    /// Drives ctfix on a pseudo-terminal with a pexpect script (`child` is the spawned ctfix;
    /// the script ends by printing the exit status). Never hangs: pexpect and the runner time out.
    func onTerminal(_ arguments: [String], _ script: String) async throws -> CommandResult {
        let argv = String(decoding: try JSONSerialization.data(withJSONObject: [try CtfixBinary.path()] + arguments), as: UTF8.self)
        let program = """
        import json, os, pexpect, sys
        argv = json.loads(sys.argv[1])
        child = pexpect.spawn(argv[0], argv[1:], encoding='utf-8', timeout=40, env=dict(os.environ, NO_COLOR='1'))
        child.logfile_read = sys.stdout
        \(script)
        child.expect(pexpect.EOF)
        child.close()
        print("\\nEXIT", child.exitstatus)
        """
        return try await RealKernel.runner.run([try #require(Self.python), "-c", program, argv], timeout: .seconds(90))
    }

    @Test func underRootNoProgramRunsAndNothingReboots() async throws {
        let host = try ExampleHostsPaths.copy("centos5-ip-conntrack")
        try FileManager.default.createDirectory(atPath: "\(host)/sys/module/nf_conntrack/holders", withIntermediateDirectories: true)
        try "0\n".write(toFile: "\(host)/sys/module/nf_conntrack/refcnt", atomically: true, encoding: .utf8)
        let outside = try Self.temporaryDirectory("ctfix-outside")
        let fakes = try Self.temporaryDirectory("ctfix-fakebin")
        let calls = "\(outside)/calls"
        for name in ["shutdown", "systemctl", "modprobe", "rmmod", "touch", "record-me"] {
            try "#!/bin/sh\necho \"\(name) $*\" >> '\(calls)'\n".write(toFile: "\(fakes)/\(name)", atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: "\(fakes)/\(name)")
        }
        let playbook = try TrustedScratch.directory("runs-programs") + "/runs-programs.yaml" // not in /tmp: refused as root
        try """
        version: 1
        name: runs-programs
        summary: Every action kind that starts a program or reboots.
        detect:
          value:
            sysctl: net.ipv4.netfilter.ip_conntrack_max
            above: 0
        actions:
          - name: touch-outside
            explain: Would create a file outside the root.
            risk: safe
            command:
              argv: [touch, \(outside)/touched]
          - name: record
            explain: Would run a program given by path.
            risk: safe
            command:
              argv: [\(fakes)/record-me, now]
          - name: restart
            explain: Would restart a unit of this machine.
            risk: disruptive
            restart_service:
              unit: sshd.service
          - name: unload
            explain: Would unload conntrack from this machine's kernel.
            risk: destructive
            allow_unattended: true
            module_unload:
              module: [nf_conntrack]
              force: true
          - name: reboot
            explain: Would reboot this machine (in an hour, cancellable, should containment ever break).
            risk: destructive
            allow_unattended: true
            reboot:
              method: systemctl
              delay: 1h
        """.write(toFile: playbook, atomically: true, encoding: .utf8)
        let path = "\(fakes):" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        let result = try await RealKernel.runner.run(
            ["env", "PATH=\(path)", try CtfixBinary.path(), "run", playbook, "--root", host, "--yes", "--allow-destructive", "--no-verify-delay"],
            timeout: .seconds(60))
        #expect(result.exitStatus == ExitStatus.partial.rawValue, "\(result.standardOutput)\(result.standardError)")
        #expect(!FileManager.default.fileExists(atPath: calls), "a program ran: \((try? String(contentsOfFile: calls, encoding: .utf8)) ?? "")")
        #expect(!FileManager.default.fileExists(atPath: "\(outside)/touched"))
        #expect(result.standardOutput.contains("simulated: the root is not this machine"))
        #expect(result.standardOutput.contains("outcome: partial"))
        let outcomes = try Self.auditRecords(host).filter { $0["event"] as? String == "outcome" }
        #expect(outcomes.count == 5)
        #expect(outcomes.allSatisfy { ($0["data"] as? [String: Any])?["status"] as? String == "simulated" })
        #expect(try Self.runEnd(host)?["outcome"] as? String == "partial")
    }

    @Test(.enabled(if: pexpectAvailable(), "needs python3 with pexpect"))
    func declineThenAcceptAppliesTheSecondAction() async throws {
        let host = try ExampleHostsPaths.copy("ubuntu-table-full")
        let result = try await onTerminal(["run", ExampleHostsPaths.playbook("table-full"), "--root", host, "--no-verify-delay"], """
        child.expect(r'\\[q\\]uit: '); child.sendline('n')
        child.expect(r'\\[q\\]uit: '); child.sendline('y')
        child.expect('Its plan now is'); child.expect(r'\\[q\\]uit: '); child.sendline('y')
        """)
        #expect(result.standardOutput.contains("EXIT \(ExitStatus.notRemediated.rawValue)"), "\(result.standardOutput)\(result.standardError)")
        #expect(result.standardOutput.contains("applied halve-established-timeout"))
        #expect(try String(contentsOfFile: "\(host)/proc/sys/net/netfilter/nf_conntrack_tcp_timeout_established", encoding: .utf8) == "216000\n")
        #expect(try String(contentsOfFile: "\(host)/proc/sys/net/netfilter/nf_conntrack_max", encoding: .utf8) == "262144\n")
        let persisted = try String(contentsOfFile: "\(host)/etc/sysctl.d/90-ctfix-conntrack.conf", encoding: .utf8)
        #expect(persisted.contains("net.netfilter.nf_conntrack_tcp_timeout_established = 216000\n"))
        #expect(!persisted.contains("nf_conntrack_max"))
    }

    @Test(.enabled(if: pexpectAvailable(), "needs python3 with pexpect"))
    func aDeclinedRebootIsPartialNotRemediated() async throws {
        let host = try ExampleHostsPaths.copy("centos5-ip-conntrack")
        let result = try await onTerminal(["run", ExampleHostsPaths.playbook("unload-conntrack"), "--root", host], """
        child.expect(r'\\[q\\]uit: '); child.sendline('y')
        child.expect(r'\\[q\\]uit: '); child.sendline('a')
        child.expect('to confirm: '); child.sendline('not-this-host')
        """)
        #expect(result.standardOutput.contains("EXIT \(ExitStatus.partial.rawValue)"), "\(result.standardOutput)")
        #expect(result.standardOutput.contains("nothing runs on"))
        #expect(result.standardOutput.contains("outcome: partial"))
        #expect(try Self.runEnd(host)?["outcome"] as? String == "partial")
    }

    @Test(.enabled(if: pexpectAvailable(), "needs python3 with pexpect"))
    func ctrlCAtAPromptIsInterruptedWithARunEnd() async throws {
        let host = try ExampleHostsPaths.copy("ubuntu-table-full")
        let result = try await onTerminal(["run", ExampleHostsPaths.playbook("table-full"), "--root", host], """
        child.expect(r'\\[q\\]uit: '); child.sendline('y')
        child.expect(r'\\[q\\]uit: '); child.sendintr()
        """)
        #expect(result.standardOutput.contains("EXIT \(ExitStatus.interrupted.rawValue)"), "\(result.standardOutput)")
        let end = try #require(try Self.runEnd(host))
        #expect(end["outcome"] as? String == "interrupted")
        // table-full says on_failure: rollback — the applied first action was undone.
        #expect((end["host_now"] as? [String])?.contains("net.netfilter.nf_conntrack_max = 262144 (the value before the run)") == true)
        #expect(try String(contentsOfFile: "\(host)/proc/sys/net/netfilter/nf_conntrack_max", encoding: .utf8) == "262144\n")
        #expect(try await CtfixBinary.run(["audit", "verify", "--root", host]).exitStatus == 0)
    }

    @Test(.enabled(if: pexpectAvailable(), "needs python3 with pexpect"))
    func ctrlCDuringTheVerifyCountdownIsInterrupted() async throws {
        let host = try ExampleHostsPaths.copy("ubuntu-table-full")
        let result = try await onTerminal(["run", ExampleHostsPaths.playbook("table-full"), "--root", host], """
        child.expect(r'\\[q\\]uit: '); child.sendline('a')
        child.expect(r'verifying in \\d+ s'); child.sendintr()
        """)
        #expect(result.standardOutput.contains("EXIT \(ExitStatus.interrupted.rawValue)"), "\(result.standardOutput)")
        #expect(result.standardOutput.contains("(Ctrl-C to stop)"))
        let end = try #require(try Self.runEnd(host))
        #expect(end["outcome"] as? String == "interrupted")
        let held = try #require(end["host_now"] as? [String])
        #expect(held.contains("net.netfilter.nf_conntrack_tcp_timeout_established = 432000 (the value before the run)"), "\(held)")
        #expect(!(try Self.auditRecords(host)).contains { $0["event"] as? String == "verification" })
    }

    @Test func sigtermDuringAnUnattendedRunIsInterrupted() async throws {
        let host = try ExampleHostsPaths.copy("ubuntu-table-full")
        let playbook = try String(contentsOfFile: ExampleHostsPaths.playbook("table-full"), encoding: .utf8)
            .replacingOccurrences(of: "delay: 10s", with: "delay: 5m")
            .replacingOccurrences(of: "on_failure: rollback", with: "on_failure: stop")
        let file = "\(try TrustedScratch.directory("ctfix-term"))/table-full.yaml" // not in /tmp: refused as root
        try playbook.write(toFile: file, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try CtfixBinary.path())
        process.arguments = ["run", file, "--root", host, "--yes"]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // Wait (bounded) until both actions are applied: the run is then in its verify delay.
        for _ in 0..<400 {
            if let records = try? Self.auditRecords(host), records.filter({ $0["event"] as? String == "outcome" }).count == 2 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        kill(process.processIdentifier, SIGTERM)
        for _ in 0..<400 where process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == ExitStatus.interrupted.rawValue)
        let end = try #require(try Self.runEnd(host))
        #expect(end["outcome"] as? String == "interrupted")
        #expect((end["message"] as? String)?.contains("interrupted by SIGTERM") == true)
        #expect((end["host_now"] as? [String])?.contains("net.netfilter.nf_conntrack_max = 524288 (this run's value)") == true)
        #expect(try await CtfixBinary.run(["audit", "verify", "--root", host]).exitStatus == 0)
    }
}
