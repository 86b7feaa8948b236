import Foundation
import Testing
@testable import CtfixCore

/// Issue 9 item 5 on fake roots: a namespace whose own count fills the one global max, next to
/// an initial namespace that is nearly empty (debian-healthy: 1234 / 262144).
@Suite struct NetNamespaceRemediationTests {
    static let inTrouble: UInt64 = 4026532177
    static let timeout = "/proc/sys/net/netfilter/nf_conntrack_tcp_timeout_established"

    /// debian-healthy plus a namespace with pid 4242 (nginx) holding `entries` entries.
    static func host(entries: Int = 262144, comm: String = "nginx") throws -> InMemoryFileSystem {
        let fs = try ExampleHosts.inMemory("debian-healthy")
        fs.setLink("/proc/self/ns/net", "net:[\(NetNamespaces.fixedInitialID)]")
        fs.setLink("/proc/1/ns/net", "net:[\(NetNamespaces.fixedInitialID)]")
        fs.set("/proc/1/comm", "systemd\n")
        fs.setLink("/proc/4242/ns/net", "net:[\(inTrouble)]")
        fs.set("/proc/4242/comm", comm + "\n")
        let hex = String(entries, radix: 16)
        let row = { (drop: Int) in "\(String(repeating: "0", count: 8 - hex.count))\(hex) 00000000 \(String(format: "%08x", drop)) 00000001 00000000\n" }
        fs.set("/proc/4242/net/stat/nf_conntrack", "entries clashres drop early_drop insert_failed\n" + row(40) + row(2))
        fs.set("/proc/net/stat/nf_conntrack", "entries clashres drop early_drop insert_failed\n000004d2 00000000 00000000 00000000 00000000\n")
        return fs
    }

    static func access(timeoutInside: String = "432000\n") -> ScriptedNamespaceAccess {
        ScriptedNamespaceAccess(values: [inTrouble: [timeout: timeoutInside]], pids: [4242: inTrouble])
    }

    static func evaluate(_ yaml: String, on fs: InMemoryFileSystem) async throws -> PredicateResult {
        var scope = ParseScope(file: "t.yaml")
        let predicate = try #require(Predicate.parse(try YAMLDocumentParser.parse(yaml, file: "t.yaml"), scope: &scope))
        return await predicate.evaluate(in: EvaluationContext(host: CtfixContext(fileSystem: fs)))
    }

    static let fullRatio = """
        ratio:
          numerator: {sysctl: [net.netfilter.nf_conntrack_count, net.ipv4.netfilter.ip_conntrack_count]}
          denominator: {sysctl: [net.netfilter.nf_conntrack_max, net.nf_conntrack_max]}
          above: 90%
        """

    @Test func theRatioHoldsInTheFullNamespaceAndNamesIt() async throws {
        let result = try await Self.evaluate(Self.fullRatio, on: try Self.host())
        #expect(result.state == .holds)
        #expect(result.detail.hasPrefix("nf_conntrack_count / nf_conntrack_max = 262144 / 262144 = 100% (above 90%) in netns 4026532177 (pid 4242 nginx)"), "\(result.detail)")
        #expect(result.detail.contains("initial netns"))
        #expect(result.namespaces == [Self.inTrouble])
    }

    @Test func belowMeansInEveryNamespace() async throws {
        let healthy = Self.fullRatio.replacingOccurrences(of: "above: 90%", with: "below: 90%")
        let full = try await Self.evaluate(healthy, on: try Self.host())
        #expect(full.state == .doesNotHold, "the initial namespace is below 90%, the other is not: \(full.detail)")
        #expect(full.namespaces == [Self.inTrouble])
        let calm = try await Self.evaluate(healthy, on: try Self.host(entries: 10))
        #expect(calm.state == .holds)
        // not: above behaves the same as below.
        let negated = try await Self.evaluate("not:\n" + Self.fullRatio.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"), on: try Self.host())
        #expect(negated.state == .doesNotHold)
    }

    @Test func anUnreadableNamespaceIsUnknownNotHealthy() async throws {
        let fs = try Self.host()
        fs.set("/proc/4242/net/stat/nf_conntrack", "garbage\n")
        let healthy = Self.fullRatio.replacingOccurrences(of: "above: 90%", with: "below: 90%")
        let result = try await Self.evaluate(healthy, on: fs)
        #expect(result.state == .unknown, "\(result.detail)")
    }

    @Test func aRootWithoutProcessesIsUnchanged() async throws {
        let result = try await Self.evaluate(Self.fullRatio, on: try ExampleHosts.inMemory("debian-healthy"))
        #expect(result.state == .doesNotHold)
        #expect(!result.detail.contains("netns") && result.namespaces == nil)
        #expect(result.readings.count == 2)
    }

    @Test func statusListsEveryNamespaceWithEntriesAndDrops() async throws {
        let output = CapturedOutput()
        let ctx = CtfixContext(fileSystem: try Self.host(comm: "evil\u{1B}[2J"), output: output)
        _ = await StatusCommand(recentEvents: { _ in [] }).run(ctx)
        let text = output.standardOutput
        #expect(text.contains("network namespaces"))
        #expect(text.contains("initial netns \(NetNamespaces.fixedInitialID): 1234 entries ("), "\(text)")
        #expect(text.contains("netns 4026532177 (pid 4242 evil\\x1B[2J): 262144 entries (100% of max); since boot: 42 dropped, 2 early-dropped"), "\(text)")
        #expect(!text.contains("\u{1B}"))
    }

    @Test func namespaceMentionsAreFoundAndDescribed() {
        let lines = ["[ 12.5] nf_conntrack: nf_conntrack: table full in netns 4026532177, dropping packet",
                     "nf_conntrack: nf_conntrack: table full in netns 4026532177, dropping packet",
                     "nf_conntrack: table full in netns 99, dropping packet", "table full, in netns x",
                     "in netns 999999999999999999999999"]
        #expect(NamespaceMention.ids(in: lines) == [4026532177, 99])
        let known = [NetNamespace(id: 4026532177, pid: 4242, processName: "nginx", processCount: 1, isInitial: false)]
        #expect(NamespaceMention.describe([4026532177, 99], among: known)
                == "names netns 4026532177 (pid 4242 nginx), netns 99 (no process is in it now: gone, or not visible from here)")
    }

    @Test func logEvidenceNamesTheNamespace() async throws {
        let fs = try Self.host()
        let directory = try TrustedScratch.directory("ctfix-netns-log")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let log = directory + "/kern.log"
        try TrustedScratch.write("Nov 29 01:00:00 host kernel: [ 100.1] nf_conntrack: nf_conntrack: table full in netns 4026532177, dropping packet\n", to: log)
        let context = EvaluationContext(host: CtfixContext(fileSystem: fs), logFiles: [log])
        let result = await LogPredicate.make("table full").evaluate(in: context)
        #expect(result.state == .holds, "\(result.detail)")
        #expect(result.namespaces == [Self.inTrouble])
        #expect(result.detail.contains("names netns 4026532177 (pid 4242 nginx)"), "\(result.detail)")
    }

    func run(_ fs: InMemoryFileSystem, access: any NamespaceSysctlAccess,
             configure: (inout RunOptions) -> Void = { $0.assumeYes = true }) async throws -> (RunReport, CapturedOutput) {
        let output = CapturedOutput()
        var ctx = try ExampleHosts.context(fs, output: output)
        ctx.namespaceAccess = access
        let playbook = try ExampleHosts.playbook("table-full")
        var options = RunOptions()
        options.skipVerifyDelay = true
        configure(&options)
        let report = await Executor(ctx: ctx, playbook: playbook, parameters: try playbook.resolveParameters([:]), options: options).run()
        return (report, output)
    }

    @Test func theTimeoutIsHalvedInsideTheNamespaceInTroubleShownAuditedAndVerified() async throws {
        let fs = try Self.host()
        let access = Self.access()
        let (report, output) = try await run(fs, access: access)
        #expect(output.standardOutput.contains("in netns 4026532177 (pid 4242 nginx): net.netfilter.nf_conntrack_tcp_timeout_established 432000 → 216000"), "\(output.standardOutput)")
        #expect(access.value(Self.timeout, in: Self.inTrouble) == "216000\n")
        #expect(try fs.readText(Self.timeout) == "216000\n")
        // A snapshot copy's counters cannot be measured again after the actions: unverified.
        #expect(report.outcome == .unverified, "\(report.messages)")
        // Verification divided the namespace's own count by the raised max.
        let verification = String(describing: report.verification)
        #expect(verification.contains("in netns 4026532177"), "\(verification)")
        let intents = try AuditLog(fileSystem: fs).records().filter { $0.event == "intent" }
        #expect(intents.contains { "\($0)".contains("set_namespace_value") }, "the namespace step is audited before it is taken")
    }

    @Test func aReusedPidBetweenPlanAndApplyIsRefusedAndNothingIsWrittenThere() async throws {
        let fs = try Self.host()
        let access = Self.access()
        // The operator is asked; meanwhile pid 4242 ends and a process of another namespace gets it.
        let terminal = MovingTerminal(access: access)
        let output = CapturedOutput()
        var ctx = try ExampleHosts.context(fs, terminal: terminal, output: output)
        ctx.namespaceAccess = access
        let playbook = try ExampleHosts.playbook("table-full")
        var options = RunOptions()
        options.skipVerifyDelay = true
        let report = await Executor(ctx: ctx, playbook: playbook, parameters: try playbook.resolveParameters([:]), options: options).run()
        #expect(report.outcome == .failed)
        #expect(access.writes.isEmpty)
        #expect(access.value(Self.timeout, in: Self.inTrouble) == "432000\n")
        #expect(report.messages.joined().contains("reused") || report.actions.compactMap(\.reason).joined().contains("reused"), "\(report.messages) \(report.actions.map(\.reason))")
        // on_failure: rollback restored what the run had changed in the initial namespace.
        #expect(try fs.readText("/proc/sys/net/netfilter/nf_conntrack_max") == "262144\n")
    }

    @Test func undoRestoresTheNamespacesOwnValue() async throws {
        let access = Self.access()
        var ctx = CtfixContext(fileSystem: try Self.host())
        ctx.namespaceAccess = access
        let step = PlannedStep.setNamespaceValue(namespace: NamespaceTarget(id: Self.inTrouble, pid: 4242), label: "netns 4026532177",
                                                 path: Self.timeout, name: "t", before: "432000", after: "216000")
        let applier = StepApplier(context: ctx, runID: "r")
        _ = try await applier.apply(step)
        #expect(access.value(Self.timeout, in: Self.inTrouble) == "216000\n")
        _ = try await applier.apply(try #require(step.undo))
        #expect(access.value(Self.timeout, in: Self.inTrouble) == "432000\n")
        #expect(try ctx.fileSystem.readText(Self.timeout) == "432000\n", "the initial namespace's value is untouched")
    }

    @Test func insideANamespaceTheGlobalMaxIsRefusedBeforeAnyChange() async throws {
        let fs = try ExampleHosts.inMemory("debian-healthy")
        fs.setLink("/proc/self/ns/net", "net:[\(Self.inTrouble)]")
        fs.setLink("/proc/1/ns/net", "net:[\(NetNamespaces.fixedInitialID)]")
        try fs.removeFile("/proc/sys/net/nf_conntrack_max")
        fs.denyWrites("/proc/sys/net/netfilter/nf_conntrack_max")
        let (report, output) = try await run(fs, access: NoNamespaceAccess()) { $0.assumeYes = true; $0.force = true }
        #expect(report.outcome == .refused)
        #expect(report.outcome.exitStatus == .refused)
        let said = report.messages.joined(separator: "\n")
        #expect(said.contains("nsenter -t 1 -n ctfix run table-full"), "\(said)")
        #expect(output.standardOutput.contains("only the initial network namespace can write"), "\(output.standardOutput)")
        #expect(try fs.readText(Self.timeout) == "432000\n")
        #expect(!fs.exists("/etc/sysctl.d/90-ctfix-conntrack.conf"))
        let events = try AuditLog(fileSystem: fs).records().map(\.event)
        #expect(events == ["run_start", "evidence", "plan", "run_end"])
    }
}

/// Answers yes and, while asking, moves pid 4242 into another namespace (pid reuse).
final class MovingTerminal: Terminal, @unchecked Sendable {
    let access: ScriptedNamespaceAccess
    init(access: ScriptedNamespaceAccess) { self.access = access }
    var isInteractive: Bool { true }
    func ask(_ prompt: String) -> String? {
        access.move(pid: 4242, to: 4026532999)
        return "a"
    }
}
