import Foundation
import Synchronization
import Testing
@testable import CtfixCore

/// The run invariants attacked in-process: containment under a root that is not this machine,
/// truthful outcomes, interrupts at every place a person can press Ctrl-C.
@Suite struct ExecutorSafetyTests {
    /// Every kind that would start a program or reboot, allowed unattended so that only
    /// containment stands between the playbook and this machine.
    static let everythingRuns = """
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
          argv: [touch, /tmp/ctfix-must-not-exist]
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
        explain: Would reboot this machine.
        risk: destructive
        allow_unattended: true
        reboot:
          method: systemctl
          delay: 1h
    """

    func host() throws -> InMemoryFileSystem {
        let fs = try ExampleHosts.inMemory("centos5-ip-conntrack")
        fs.set("/sys/module/nf_conntrack/refcnt", "0\n")
        return fs
    }

    func execute(_ yaml: String, fs: InMemoryFileSystem, terminal: any Terminal = NoTerminal(), commands: any CommandRunner = ScriptedCommandRunner(),
                 output: any OutputSink = CapturedOutput(), live: Bool = false, configure: (inout RunOptions) -> Void = { _ in }) async throws -> RunReport {
        let playbook = try PlaybookLoader.parse(yaml, file: "test.yaml")
        let manifest = try SnapshotManifest.read(from: fs)
        let ctx = CtfixContext(fileSystem: fs, clock: FixedClock(manifest?.capturedAt ?? Date()), commands: commands,
                               output: output, terminal: terminal, environment: [:], isLiveHost: live)
        var options = RunOptions()
        options.skipVerifyDelay = true
        configure(&options)
        return await Executor(ctx: ctx, playbook: playbook, parameters: try playbook.resolveParameters(options.settings), options: options).run()
    }

    /// The root's host name (its `/proc/sys/kernel/hostname`) is outside text: the destructive
    /// prompt shows it escaped (it printed the raw ESC sequences, so the prompt could name a
    /// machine of the root author's choosing), and what is shown is what must be typed.
    @Test func theDestructivePromptShowsAHostileHostNameEscapedAndAsksForWhatItShows() async throws {
        let fs = try host()
        fs.set("/proc/sys/kernel/hostname", "web\u{1B}[2K\u{1B}[1A\rprod-db-01\n")
        let terminal = ScriptedTerminal(answers: ["n", "n", "y", "web\\x1B[2K\\x1B[1A\\x0Dprod-db-01", "n"])
        let report = try await execute(Self.everythingRuns, fs: fs, terminal: terminal)
        let destructive = terminal.prompts.filter { $0.contains("is destructive") }
        #expect(!destructive.isEmpty, "\(terminal.prompts) \(report.actions.map(\.status)) \(report.messages)")
        for prompt in destructive {
            #expect(!prompt.unicodeScalars.contains { $0.value == 0x1B || $0 == "\r" }, "\(prompt.debugDescription)")
            #expect(prompt.contains("(web\\x1B[2K\\x1B[1A\\x0Dprod-db-01)"), "\(prompt.debugDescription)")
        }
        #expect(report.actions.map(\.status) == [.declined, .declined, .simulated, .declined],
                "typing the escaped name shown confirms: \(report.actions.map(\.status))")
    }

    @Test func underAForeignRootNothingRunsAndTheRunIsPartial() async throws {
        let fs = try host()
        let commands = ScriptedCommandRunner(available: ["touch", "systemctl", "modprobe", "shutdown"]) { _ in CommandResult(exitStatus: 0) }
        let output = CapturedOutput()
        let report = try await execute(Self.everythingRuns, fs: fs, commands: commands, output: output) {
            $0.assumeYes = true; $0.allowDestructive = true
        }
        #expect(commands.invocations.isEmpty)
        #expect(report.actions.map(\.status) == [.simulated, .simulated, .simulated, .simulated])
        #expect(report.outcome == .partial)
        #expect(report.outcome.exitStatus.rawValue == 15)
        #expect(output.standardOutput.contains("(simulated: the root is not this machine: not executed)"))
        let records = try AuditLog(fileSystem: fs).records()
        #expect(records.filter { $0.event == "outcome" }.allSatisfy { $0.fields["status"]?.stringValue == "simulated" })
        #expect(records.filter { $0.event == "intent" }.count == 4)
        // A simulated reboot is not a reboot: the once-per-boot record stays empty.
        #expect(try PolicyState.load(fs).rebootedBoots.isEmpty)
    }

    @Test func thePrimitiveItselfRefusesProgramsUnderAForeignRoot() async throws {
        let commands = ScriptedCommandRunner(available: ["anything"]) { _ in CommandResult(exitStatus: 0) }
        let ctx = CtfixContext(fileSystem: InMemoryFileSystem(), commands: commands, isLiveHost: false)
        let applier = StepApplier(context: ctx, runID: "r")
        for step: PlannedStep in [.runCommand(argv: ["anything"], timeoutSeconds: 1, environment: [:]),
                                  .reboot(method: "systemctl", sentinel: nil, delaySeconds: nil),
                                  .reboot(method: "systemctl", sentinel: nil, delaySeconds: 600)] {
            let result = try await applier.apply(step)
            #expect(result.simulated)
            #expect(result.message.hasPrefix("simulated: the root is not this machine"))
        }
        #expect(commands.invocations.isEmpty)
        // kured's sentinel is a file under the root: written for real.
        let kured = try await applier.apply(.reboot(method: "kured", sentinel: "/run/reboot-required", delaySeconds: nil))
        #expect(!kured.simulated)
        #expect(ctx.fileSystem.exists("/run/reboot-required"))
        // The runner a foreign root gets passes only the root's journal through.
        let contained = ContainedCommandRunner(commands)
        await #expect(throws: CommandError.self) { try await contained.run(["touch", "/tmp/x"], environment: [:], timeout: .seconds(1), outputLimit: 10) }
        _ = try await contained.run(["journalctl", "--directory", "/r/var/log/journal", "-k"], environment: [:], timeout: .seconds(1), outputLimit: 10)
        #expect(commands.invocations == [["journalctl", "--directory", "/r/var/log/journal", "-k"]])
    }

    @Test func aLogOnlyVerificationIsUnverifiedNotRemediated() async throws {
        let fs = try host()
        let report = try await execute("""
        version: 1
        name: log-only
        summary: Detection by log lines only.
        detect:
          log:
            pattern: 'table full, dropping packet'
            within: 15m
        actions:
          - name: raise
            explain: Raise the table size.
            risk: safe
            sysctl:
              key: net.ipv4.netfilter.ip_conntrack_max
              set: 65536
        """, fs: fs) { $0.assumeYes = true }
        #expect(report.actions.map(\.status) == [.applied])
        #expect(report.outcome == .unverified)
        #expect(report.messages.last?.contains("only re-reads kernel log lines") == true)
    }

    @Test func aSkippedActionMakesTheRunPartialNotRemediated() async throws {
        let fs = try host()
        let report = try await execute("""
        version: 1
        name: skipped
        summary: One action skipped by its when.
        parameters:
          limit:
            type: integer
            default: 100000000
            description: A bound no host reaches.
        detect:
          value:
            sysctl: net.ipv4.netfilter.ip_conntrack_max
            below: 20000
        actions:
          - name: raise
            explain: Raise the table size.
            risk: safe
            sysctl:
              key: net.ipv4.netfilter.ip_conntrack_max
              set: 65536
          - name: never
            explain: Skipped.
            risk: safe
            when:
              value:
                sysctl: net.ipv4.netfilter.ip_conntrack_max
                above: ${limit}
            sysctl:
              key: net.ipv4.netfilter.ip_conntrack_tcp_timeout_established
              set: 1000
        """, fs: fs) { $0.assumeYes = true }
        #expect(report.actions.map(\.status) == [.applied, .skipped])
        #expect(report.outcome == .partial)
        let reason = try #require(report.actions[1].reason)
        #expect(!reason.contains("${"))
        #expect(reason.contains("above 100,000,000 (limit)") || reason.contains("above 100000000 (limit)"), "\(reason)")
    }

    @Test func decliningAnEditOfOneFileNeverBreaksTheNextEditOfIt() async throws {
        // Two edits of one file: the second is planned on top of the first. Declining the first
        // must leave the second applicable, and with the same lines changing it is not re-asked.
        let fs = try host()
        fs.set("/etc/example.conf", "alpha=1\nbeta=1\n")
        let terminal = ScriptedTerminal(answers: ["n", "y"])
        let report = try await execute("""
        version: 1
        name: two-edits
        summary: Two edits of one file.
        detect:
          file_matches:
            path: /etc/example.conf
            pattern: '=1$'
        actions:
          - name: alpha
            explain: Comment out alpha.
            risk: safe
            file_edit:
              path: /etc/example.conf
              match: '^alpha='
              comment_out: true
          - name: beta
            explain: Comment out beta.
            risk: safe
            file_edit:
              path: /etc/example.conf
              match: '^beta='
              comment_out: true
        """, fs: fs, terminal: terminal)
        #expect(report.actions.map(\.status) == [.declined, .applied])
        #expect(terminal.prompts.count == 2)
        #expect(try fs.readText("/etc/example.conf") == "alpha=1\n#beta=1\n")
        #expect(report.outcome == .notRemediated || report.outcome == .partial)
        #expect(report.actions[1].notes.contains { $0.contains("planned again") })
    }

    @Test func rollingBackTwiceSaysSoAndSucceeds() async throws {
        let fs = try ExampleHosts.inMemory("centos5-ip-conntrack")
        let playbook = try String(contentsOfFile: ExampleHosts.playbookPath("table-full"), encoding: .utf8)
        let report = try await execute(playbook, fs: fs) { $0.assumeYes = true }
        #expect(report.outcome == .unverified) // a snapshot copy's counters cannot be measured again after the actions
        let ctx = try ExampleHosts.context(fs)
        #expect(await RollbackCommand(runID: report.runID, assumeYes: true).run(ctx) == .ok)
        let output = CapturedOutput()
        var again = ctx
        again.output = output
        #expect(await RollbackCommand(runID: report.runID, assumeYes: true).run(again) == .ok)
        #expect(output.standardOutput.contains("was already rolled back"))
        #expect(!output.standardOutput.contains("--force"))
        #expect(try fs.readText("/proc/sys/net/ipv4/netfilter/ip_conntrack_max") == "16640\n")
    }

    @Test func aValueRestoredByHandIsNotAConflict() async throws {
        let fs = try ExampleHosts.inMemory("centos5-ip-conntrack")
        let playbook = try String(contentsOfFile: ExampleHosts.playbookPath("table-full"), encoding: .utf8)
        let report = try await execute(playbook, fs: fs) { $0.assumeYes = true }
        try fs.writeInPlace(Data("16640\n".utf8), to: "/proc/sys/net/ipv4/netfilter/ip_conntrack_max")
        let output = CapturedOutput()
        var ctx = try ExampleHosts.context(fs)
        ctx.output = output
        #expect(await RollbackCommand(runID: report.runID, assumeYes: true).run(ctx) == .ok)
        #expect(output.standardOutput.contains("already restored: net.ipv4.netfilter.ip_conntrack_max"))
        #expect(!output.standardOutput.contains("use --force"))
    }
}
