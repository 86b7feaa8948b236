import Foundation
import Testing
@testable import CtfixCore

@Suite struct ExecutorTests {
    func run(_ playbookName: String, on fs: InMemoryFileSystem, terminal: any Terminal = NoTerminal(),
             commands: ScriptedCommandRunner = ScriptedCommandRunner(), live: Bool = false,
             configure: (inout RunOptions) -> Void = { _ in }) async throws -> (RunReport, CapturedOutput) {
        let output = CapturedOutput()
        let ctx = try ExampleHosts.context(fs, terminal: terminal, commands: commands, output: output, live: live)
        let playbook = try ExampleHosts.playbook(playbookName)
        var options = RunOptions()
        options.skipVerifyDelay = true
        configure(&options)
        let parameters = try playbook.resolveParameters(options.settings)
        let report = await Executor(ctx: ctx, playbook: playbook, parameters: parameters, options: options).run()
        return (report, output)
    }

    func auditEvents(_ fs: InMemoryFileSystem) throws -> [String] {
        try AuditLog(fileSystem: fs).records().map(\.event)
    }

    @Test func dryRunShowsExactValuesAndChangesNothing() async throws {
        let fs = try ExampleHosts.inMemory("centos5-ip-conntrack")
        let commands = ScriptedCommandRunner()
        let (report, output) = try await run("table-full", on: fs, commands: commands) { $0.dryRun = true }
        #expect(report.outcome == .dryRun)
        #expect(report.actions.map(\.before) == ["16640", "432000"])
        #expect(report.actions.map(\.after) == ["65536", "216000"])
        #expect(output.standardOutput.contains("+net.ipv4.netfilter.ip_conntrack_max = 65536"))
        #expect(commands.invocations.isEmpty)
        #expect(try fs.readText("/proc/sys/net/ipv4/netfilter/ip_conntrack_max") == "16640\n")
        #expect(!(try fs.readText("/etc/sysctl.conf")).contains("ip_conntrack"))
        #expect(try auditEvents(fs) == ["run_start", "evidence", "plan", "run_end"])
    }

    @Test func withoutATerminalOrYesItRefusesAtOnce() async throws {
        let fs = try ExampleHosts.inMemory("centos5-ip-conntrack")
        let (report, _) = try await run("table-full", on: fs)
        #expect(report.outcome == .refused)
        #expect(report.messages.last?.contains("no terminal") == true)
        #expect(try fs.readText("/proc/sys/net/ipv4/netfilter/ip_conntrack_max") == "16640\n")
        #expect(try auditEvents(fs) == ["run_start", "run_end"])
    }

    @Test func yesAppliesReadsBackAndVerifies() async throws {
        let fs = try ExampleHosts.inMemory("centos5-ip-conntrack")
        let (report, _) = try await run("table-full", on: fs) { $0.assumeYes = true }
        #expect(report.outcome == .unverified) // a snapshot copy's counters cannot be measured again after the actions (ExecutorCounterVerificationTests proves remediated)
        #expect(try fs.readText("/proc/sys/net/ipv4/netfilter/ip_conntrack_max") == "65536\n")
        #expect(try fs.readText("/sys/module/ip_conntrack/parameters/hashsize") == "16384\n")
        #expect(try fs.readText("/etc/sysctl.conf").hasSuffix("net.ipv4.netfilter.ip_conntrack_max = 65536\nnet.ipv4.netfilter.ip_conntrack_tcp_timeout_established = 216000\n"))
        #expect(try auditEvents(fs) == ["run_start", "evidence", "plan", "intent", "outcome", "intent", "outcome", "verification", "run_end"])
        #expect(try AuditLog(fileSystem: fs).verify().ok)
    }

    @Test func promptsAnswerYesNoAllQuit() async throws {
        // n to the first action, y to the second: the second is applied (changed deliberately:
        // it used to fail on the declined action's planned edit of the same file)
        var fs = try ExampleHosts.inMemory("centos5-ip-conntrack")
        var terminal = ScriptedTerminal(answers: ["n", "y"])
        var (report, _) = try await run("table-full", on: fs, terminal: terminal)
        #expect(report.actions.map(\.status) == [.declined, .applied])
        // max stayed at 16640, so the table is still over-full: measured, not remediated
        #expect(report.outcome == .notRemediated)
        #expect(report.messages.last?.contains("not applied: raise-conntrack-max (declined)") == true)
        #expect(try fs.readText("/proc/sys/net/ipv4/netfilter/ip_conntrack_max") == "16640\n")
        #expect(try fs.readText("/proc/sys/net/ipv4/netfilter/ip_conntrack_tcp_timeout_established") == "216000\n")
        let conf = try fs.readText("/etc/sysctl.conf")
        #expect(conf.hasSuffix("kernel.shmall = 4294967296\nnet.ipv4.netfilter.ip_conntrack_tcp_timeout_established = 216000\n"))
        #expect(!conf.contains("ip_conntrack_max"))

        fs = try ExampleHosts.inMemory("centos5-ip-conntrack")
        terminal = ScriptedTerminal(answers: ["a"])
        (report, _) = try await run("table-full", on: fs, terminal: terminal)
        #expect(report.actions.map(\.status) == [.applied, .applied])
        #expect(terminal.prompts.count == 1)

        fs = try ExampleHosts.inMemory("centos5-ip-conntrack")
        terminal = ScriptedTerminal(answers: ["q"])
        (report, _) = try await run("table-full", on: fs, terminal: terminal)
        #expect(report.outcome == .declined)
        #expect(report.actions.map(\.status) == [.notRun, .notRun])
        #expect(try fs.readText("/proc/sys/net/ipv4/netfilter/ip_conntrack_max") == "16640\n")

        fs = try ExampleHosts.inMemory("centos5-ip-conntrack")
        terminal = ScriptedTerminal(answers: ["what", "y", "y"])
        (report, _) = try await run("table-full", on: fs, terminal: terminal)
        #expect(report.outcome == .unverified) // a snapshot copy's counters cannot be measured again after the actions (ExecutorCounterVerificationTests proves remediated)
        #expect(terminal.prompts.count == 3)
    }

    @Test func aDestructiveActionNeedsTheHostNameTyped() async throws {
        let fs = try ExampleHosts.inMemory("centos5-ip-conntrack")
        let commands = ScriptedCommandRunner(available: ["systemctl", "shutdown"]) { _ in CommandResult(exitStatus: 0) }
        let wrong = ScriptedTerminal(answers: ["y", "y", "wrong-host"])
        var (report, _) = try await run("unload-conntrack", on: fs, terminal: wrong, commands: commands, live: true)
        #expect(report.actions.map(\.status) == [.applied, .declined])
        #expect(report.outcome == .partial)
        #expect(commands.invocations.isEmpty)

        // On the live host the machine that reboots is this one: its own name must be typed.
        let machine = Executor.thisMachineName()
        #expect(wrong.prompts.last?.contains("acts on this machine, \(machine). Type its host name (\(machine))") == true)
        let fs2 = try ExampleHosts.inMemory("centos5-ip-conntrack")
        let right = ScriptedTerminal(answers: ["y", "y", machine])
        (report, _) = try await run("unload-conntrack", on: fs2, terminal: right, commands: commands, live: true)
        #expect(report.actions.map(\.status) == [.applied, .applied])
        #expect(commands.invocations == [["shutdown", "-r", "+1", "ctfix: reboot requested by a remediation playbook"]])
        #expect(try fs2.readText("/etc/sysconfig/iptables-config").contains("#IPTABLES_MODULES=\"ip_conntrack_netbios_ns\""))
    }

    @Test func unattendedDestructiveIsRefusedBeforeAnythingChanges() async throws {
        let fs = try ExampleHosts.inMemory("centos5-ip-conntrack")
        let (report, _) = try await run("unload-conntrack", on: fs) { $0.assumeYes = true; $0.allowDestructive = true }
        #expect(report.outcome == .refused)
        #expect(report.messages.last?.contains("does not allow it unattended") == true)
        #expect(!(try fs.readText("/etc/sysconfig/iptables-config")).contains("#IPTABLES_MODULES"))
    }

    @Test func aFailingActionStopsTheRunAndRollsBack() async throws {
        let fs = try ExampleHosts.inMemory("centos5-ip-conntrack")
        fs.denyWrites("/proc/sys/net/ipv4/netfilter/ip_conntrack_tcp_timeout_established")
        let (report, _) = try await run("table-full", on: fs) { $0.assumeYes = true }
        #expect(report.outcome == .failed)
        #expect(report.actions.map(\.status) == [.rolledBack, .failed])
        #expect(try fs.readText("/proc/sys/net/ipv4/netfilter/ip_conntrack_max") == "16640\n")
        #expect(try fs.readText("/sys/module/ip_conntrack/parameters/hashsize") == "2080\n")
        #expect(!(try fs.readText("/etc/sysctl.conf")).contains("ip_conntrack"))
        let events = try auditEvents(fs)
        #expect(events.contains("rollback_intent"))
        #expect(events.last == "run_end")
        #expect(try AuditLog(fileSystem: fs).verify().ok)
    }

    @Test func aSecondRebootInTheSameBootIsRefused() async throws {
        let fs = try ExampleHosts.inMemory("centos5-ip-conntrack")
        var state = PolicyState()
        state.rebootedBoots = [try fs.readText(PolicyState.bootIDPath).trimmingCharacters(in: .whitespacesAndNewlines)]
        try state.save(fs)
        let (report, _) = try await run("unload-conntrack", on: fs, terminal: ScriptedTerminal(answers: ["a", "server"]))
        #expect(report.outcome == .refused)
        #expect(report.messages.last?.contains("already rebooted") == true)
    }

    @Test func cooldownRefusesASecondUnattendedRun() async throws {
        let fs = try ExampleHosts.inMemory("centos5-ip-conntrack")
        var state = PolicyState()
        state.lastRuns["table-full"] = Date()
        try state.save(fs)
        let (report, _) = try await run("table-full", on: fs) { $0.assumeYes = true }
        #expect(report.outcome == .refused)
        #expect(report.messages.last?.contains("cooling down") == true)
    }

    @Test func aHealthyHostIsLeftAlone() async throws {
        let fs = try ExampleHosts.inMemory("debian-healthy")
        let (report, _) = try await run("table-full", on: fs) { $0.assumeYes = true }
        #expect(report.outcome == .healthy)
        #expect(try auditEvents(fs) == ["run_start", "evidence", "run_end"])
    }

    @Test func forceActsWithoutDetectionAndSaysSo() async throws {
        let fs = try ExampleHosts.inMemory("debian-healthy")
        let (report, _) = try await run("table-full", on: fs) { $0.assumeYes = true; $0.force = true }
        #expect(report.messages.contains { $0.contains("--force") })
        #expect(report.actions.first?.status == .noChange || report.actions.first?.status == .applied)
    }

    @Test func theAllocFailurePlaybookNeverRaisesMax() async throws {
        let fs = try ExampleHosts.inMemory("centos6-alloc-failure")
        let (report, _) = try await run("alloc-failure", on: fs) { $0.dryRun = true }
        let paths = report.actions.flatMap(\.steps).map(\.summary)
        #expect(!paths.contains { $0.contains("conntrack_max") })
        #expect(paths.contains("write 1 to vm.drop_caches"))
        #expect(report.actions.last?.after == "19228") // 1% of 1922856 kB
    }

    @Test func aCommandThatExitsNonZeroStopsTheRunAndRollsBackWhatCameBefore() async throws {
        let fs = try ExampleHosts.inMemory("centos5-ip-conntrack")
        let playbook = try PlaybookLoader.parse("""
        version: 1
        name: fails-midway
        summary: Raise max, then a command that fails.
        on_failure: rollback
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
          - name: failing
            explain: Exits 3.
            risk: safe
            command:
              argv: [/usr/local/bin/site-hook, --apply]
        """, file: "fails.yaml")
        let commands = ScriptedCommandRunner(available: ["/usr/local/bin/site-hook"]) { _ in
            CommandResult(exitStatus: 3, standardError: "hook refused")
        }
        let ctx = try ExampleHosts.context(fs, commands: commands, live: true)
        var options = RunOptions()
        options.assumeYes = true
        let report = await Executor(ctx: ctx, playbook: playbook, parameters: [:], options: options).run()
        #expect(report.outcome == .failed)
        #expect(report.actions.map(\.status) == [.rolledBack, .failed])
        #expect(report.actions[1].reason?.contains("exited with status 3: hook refused") == true)
        #expect(try fs.readText("/proc/sys/net/ipv4/netfilter/ip_conntrack_max") == "16640\n")
        #expect(report.messages.last?.contains("every completed change was rolled back") == true)
    }

    @Test func theMemoryBudgetClampsARaiseOnAHostShortOfMemory() async throws {
        // 61 MiB available: 25% of it holds about 50,000 more 312-byte entries, not 65536 → 131072.
        let fs = try ExampleHosts.inMemory("centos6-alloc-failure")
        let (report, _) = try await run("table-full", on: fs) { $0.dryRun = true; $0.force = true }
        let raise = try #require(report.actions.first)
        #expect(raise.status == .planned)
        let after = try #require(raise.after.flatMap(Double.init))
        #expect(after > 65536 && after < 131072)
        #expect(raise.notes.contains { $0.contains("memory budget") && $0.contains("clamped to") })
    }

    @Test func aSecondRunWaitsForTheLockAndSaysWhoHoldsIt() async throws {
        let fs = try ExampleHosts.inMemory("centos5-ip-conntrack")
        // A live holder (this test process): a holder whose pid is dead is reported as stale.
        let holder = HostRunLock.Holder(runID: "other-run", pid: getpid(), playbook: "alloc-failure", since: Date())
        let lock = try HostRunLock(fileSystem: fs).acquire(as: holder, wait: .zero)
        let (report, _) = try await run("table-full", on: fs) { $0.assumeYes = true }
        #expect(report.outcome == .busy)
        #expect(report.messages.last?.contains("run other-run of alloc-failure (pid \(getpid())") == true)
        withExtendedLifetime(lock) {}
    }
}
