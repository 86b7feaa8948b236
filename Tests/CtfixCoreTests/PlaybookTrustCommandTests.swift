import Foundation
import Testing
@testable import CtfixCore

/// Every command that loads a playbook judges it, with the rules injected as root: an untrusted
/// playbook (here mode 0666, with a `command` action that must never run) is refused by run,
/// check, watch, validate, list and serve, each with its documented status and the fix.
@Suite final class PlaybookTrustCommandTests {
    let directory: String
    let file: String
    let trust = TrustedScratch.rootTrust
    static let playbook = """
        version: 1
        name: planted
        summary: A playbook someone else could have written.
        detect:
          value:
            sysctl: net.ipv4.netfilter.ip_conntrack_max
            above: 0
        actions:
          - name: touch
            explain: Runs a program.
            risk: safe
            command:
              argv: [touch, /planted]
        """

    init() throws {
        directory = try TrustedScratch.directory("ctfix-trust-commands")
        file = directory + "/planted.yaml"
        try TrustedScratch.write(Self.playbook, to: file)
        chmod(file, 0o666)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }

    var locator: PlaybookLocator { PlaybookLocator(directories: [.init(path: directory, origin: "CTFIX_PLAYBOOKS")]) }
    var refusal: String { "\(file):1:1: error: untrusted playbook: \(file) is writable by group and others (mode 0666)" }

    func context() throws -> (CtfixContext, CapturedOutput, ScriptedCommandRunner) {
        let output = CapturedOutput()
        let commands = ScriptedCommandRunner(available: ["touch"])
        // Live: under a root that is not this machine, programs are simulated and the control run
        // below could not show that the trusted file does run its command.
        return (try ExampleHosts.context(try ExampleHosts.inMemory("centos5-ip-conntrack"), commands: commands, output: output, live: true), output, commands)
    }

    @Test func runRefusesWith65AndRunsNothing() async throws {
        let (ctx, output, commands) = try context()
        var options = RunOptions()
        options.assumeYes = true
        options.skipVerifyDelay = true
        #expect(await RunCommand(path: "planted", options: options, locator: locator, trust: trust).run(ctx) == .invalidInput)
        #expect(output.standardError.contains(refusal))
        #expect(output.standardError.contains("fix: chmod go-w \(file)"))
        #expect(commands.invocations.isEmpty)
        // The same file, trusted again, runs: the refusal was the trust rule, nothing else.
        chmod(file, 0o644)
        #expect(await RunCommand(path: file, options: options, trust: trust).run(ctx) != .invalidInput)
        #expect(commands.invocations.contains { $0.first == "touch" })
    }

    @Test func checkIsUnknownAndWatchRefusesToStart() async throws {
        let (ctx, output, _) = try context()
        #expect(await CheckCommand(paths: [file], trust: trust).run(ctx) == .unknown)
        #expect(output.standardOutput.hasPrefix("CTFIX UNKNOWN"))
        #expect(output.standardOutput.contains(refusal))
        var options = WatchOptions()
        options.once = true
        #expect(await WatchCommand(paths: ["planted"], options: options, locator: locator, trust: trust).run(ctx) == .invalidInput)
        #expect(output.standardError.contains(refusal))
    }

    @Test func validateReportsItAsAnErrorAndResolvesNamesLikeRun() throws {
        let (ctx, output, _) = try context()
        #expect(ValidateCommand(paths: ["planted"], locator: locator, trust: trust).run(ctx) == .invalidInput)
        #expect(output.standardError.contains(refusal))
        #expect(output.standardError.contains("1 error in 1 of 1 playbook"))
        chmod(file, 0o644)
        #expect(ValidateCommand(paths: ["planted"], locator: locator, trust: trust).run(ctx) == .ok)
        #expect(output.standardOutput.contains("\(file): ok (planted)"))
        #expect(ValidateCommand(paths: ["table-full"], locator: locator, trust: trust).run(ctx) == .noInput)
        #expect(output.standardError.contains("no playbook named 'table-full' in the playbook directories (searched \(directory) (CTFIX_PLAYBOOKS))"))
    }

    @Test func listShowsTheRefusalPerEntry() throws {
        let (ctx, output, _) = try context()
        #expect(ListCommand(locator: locator, trust: trust).run(ctx) == .ok)
        #expect(output.standardOutput.contains("planted  [CTFIX_PLAYBOOKS] \(file)\n    refused: untrusted playbook: \(file) is writable by group and others"))
        let entry = try #require(locator.list(trust: trust).first)
        #expect(entry.refused?.hasSuffix("fix: chmod go-w \(file)") == true)
        #expect(entry.summary == nil && entry.error == nil)
    }

    @Test func serveRefusesAnUntrustedRoutePlaybookAndAnUntrustedConfig() throws {
        let text = "version: 1\nroutes: [{match: {alertname: X}, playbook: \(file), mode: dry-run}]\n"
        #expect(throws: DiagnosticError.self) { try ServeConfigLoader.parse(text, file: "routes.yaml", directory: directory, trust: trust) }
        do {
            _ = try ServeConfigLoader.parse(text, file: "routes.yaml", directory: directory, trust: trust)
        } catch {
            #expect(error.description.contains("routes[0].playbook: '\(file)' does not load: \(refusal)"))
        }
        chmod(file, 0o644)
        let config = directory + "/routes.yaml"
        try TrustedScratch.write(text, to: config)
        #expect(try ServeConfigLoader.load(path: config, trust: trust).routes.count == 1)
        chmod(config, 0o664)
        do {
            _ = try ServeConfigLoader.load(path: config, trust: trust)
            Issue.record("a group-writable serve config loaded")
        } catch {
            #expect(error.description.hasPrefix("\(config):1:1: error: untrusted serve config: \(config) is writable by group"))
        }
    }

    @Test func aServeJobWhosePlaybookBecameUntrustedIsNotRun() async throws {
        let playbookPath = directory + "/table-full.yaml"
        try TrustedScratch.write(String(contentsOfFile: ExampleHosts.playbookPath("table-full"), encoding: .utf8), to: playbookPath)
        let fs = try ExampleHosts.inMemory("centos5-ip-conntrack")
        let ctx = try ExampleHosts.context(fs)
        let audit = AuditLog(fileSystem: fs)
        var config = ServeConfig()
        config.auth = .bearer(token: "t")
        config.routes = [ServeRoute(name: "table-full", matchers: [LabelMatcher(label: "alertname", kind: .equal("ConntrackTableFull"))],
                                    playbookPath: playbookPath, playbookName: "table-full", cooldown: nil, mode: .unattended)]
        let queue = try AlertQueue(fileSystem: fs)
        let alert = WebhookAlert(status: .firing, labels: ["alertname": "ConntrackTableFull", "instance": "server:9100"],
                                 startsAt: "2026-11-22T03:12:40Z", fingerprint: "f00dfeedf00dfeed")
        let intake = AlertIntake(ctx: ctx, config: config, queue: queue, audit: audit)
        #expect(await intake.receive(WebhookPayload(status: .firing, alerts: [alert])).decisions.map(\.kind) == [.queued])
        // Loosened after start-up, before the job runs: the worker judges the file again.
        chmod(playbookPath, 0o666)
        var worker = AlertWorker(ctx: ctx, queue: queue, audit: audit, budget: AttemptBudget(), auditLogPath: nil)
        worker.playbookTrust = trust
        worker.skipVerifyDelay = true
        #expect(await worker.runNext())
        let run = try #require(try audit.records().first { $0.event == "alert_run" })
        #expect(run.fields["outcome"]?.stringValue == "invalid")
        #expect(run.fields["detail"]?.stringValue?.contains("untrusted playbook: \(playbookPath) is writable by group and others") == true)
        #expect(try audit.records().contains { $0.event == "run_start" } == false)
        #expect(try fs.readText("/proc/sys/net/ipv4/netfilter/ip_conntrack_max").trimmingCharacters(in: .whitespacesAndNewlines) == "16640")
    }
}
