import Foundation
import Testing
@testable import CtfixCore

/// "An alert never makes a healthy host change" (docs/serve.md), attacked: hostile parameter
/// values at intake, a hostile job planted in the queue behind intake's back, and a job whose
/// run keeps killing serve (the crash loop of issue 8).
@Suite struct ServeAlertTrustTests {
    let fs: InMemoryFileSystem
    let ctx: CtfixContext
    let audit: AuditLog
    let output = CapturedOutput()
    static let maxPath = "/proc/sys/net/netfilter/nf_conntrack_max"
    static let timeoutPath = "/proc/sys/net/netfilter/nf_conntrack_tcp_timeout_established"

    init() throws {
        fs = try ExampleHosts.inMemory("debian-healthy")  // 1234 / 262144 entries: 0.47 %
        ctx = try ExampleHosts.context(fs, output: output)
        audit = AuditLog(fileSystem: fs)
    }

    func config() throws -> ServeConfig {
        var config = ServeConfig()
        config.auth = .bearer(token: "t")
        let playbook = try ExampleHosts.playbook("table-full")
        config.routes = [ServeRoute(name: "table-full", matchers: [LabelMatcher(label: "alertname", kind: .equal("ConntrackTableFull"))],
                                    playbookPath: ExampleHosts.playbookPath("table-full"), playbookName: playbook.name,
                                    cooldown: playbook.cooldown, mode: .unattended,
                                    parameters: ["usage_threshold": try AlertTemplate(parsing: "{{ .Labels.threshold }}")],
                                    declarations: Dictionary(uniqueKeysWithValues: playbook.parameters.map { ($0.name, $0) }))]
        return config
    }

    func alert(threshold: String, startsAt: String = "2026-11-22T03:12:40Z") -> WebhookPayload {
        WebhookPayload(status: .firing, alerts: [WebhookAlert(status: .firing, labels: [
            "alertname": "ConntrackTableFull", "instance": "app-12:9100", "threshold": threshold,
        ], startsAt: startsAt)])
    }

    func hostState() throws -> [String] {
        try [fs.readText(Self.maxPath), fs.readText(Self.timeoutPath), fs.listDirectory("/etc/sysctl.d").sorted().joined(separator: ",")]
    }

    @Test func invalidOrLooserAlertValuesAreRefusedAtIntakeAuditedAndNeverQueued() async throws {
        let queue = try AlertQueue(fileSystem: fs)
        let intake = AlertIntake(ctx: ctx, config: try config(), queue: queue, audit: audit)
        let hostile = ["0.0001", "abc", "-1", "NaN", "nan", "inf", String(repeating: "9", count: 10_000),
                       String(repeating: "-", count: 200) + "0.5", "0.5", "2", "1e308"]
        for (index, value) in hostile.enumerated() {
            let result = await intake.receive(alert(threshold: value, startsAt: "2026-11-22T03:12:\(10 + index)Z"))
            #expect(result.failure == nil)
            #expect(result.decisions.map(\.kind) == [.refused], "\(value.prefix(20)): \(result.decisions.map(\.reason))")
        }
        #expect(await queue.depth == 0)
        let refusals = try audit.records().filter { $0.event == "alert_decision" && $0.fields["decision"]?.stringValue == "refused" }
        #expect(refusals.count == hostile.count)
        let looser = try #require(refusals.first?.fields["reason"]?.stringValue)
        #expect(looser.contains("0.0001 would loosen detection"), "\(looser)")
        #expect(try audit.verify().ok)
    }

    @Test func anAlertNeverMakesAHealthyHostChange() async throws {
        let before = try hostState()
        // What was seen: threshold 0.0001 on a host at 0.47 % raised the table. Intake refuses it…
        let queue = try AlertQueue(fileSystem: fs)
        let intake = AlertIntake(ctx: ctx, config: try config(), queue: queue, audit: audit)
        #expect(await intake.receive(alert(threshold: "0.0001")).decisions.map(\.kind) == [.refused])
        // …and a job planted in the queue behind intake's back (an older ctfix, a hand-written
        // file) is refused by the worker before the run: nothing is parsed, detected or changed.
        let planted = AlertJob(key: "0123456789abcdef", sequence: 0, fingerprint: "f", startsAt: "s", alertName: "ConntrackTableFull",
                               route: "table-full", playbookPath: ExampleHosts.playbookPath("table-full"), playbookName: "table-full",
                               mode: .unattended, allowDestructive: false,
                               settings: ["usage_threshold": "0.0001"], status: .queued, receivedAt: Date())
        _ = try await queue.enqueue(planted)
        var worker = AlertWorker(ctx: ctx, queue: queue, audit: audit, budget: AttemptBudget(), auditLogPath: nil)
        worker.skipVerifyDelay = true
        #expect(await worker.runNext())
        #expect(await queue.job(planted.key)?.outcome == "refused")
        // A stricter value is accepted and runs: the host stays healthy, so nothing changes.
        #expect(await intake.receive(alert(threshold: "0.99", startsAt: "later")).decisions.map(\.kind) == [.queued])
        #expect(await worker.runNext())
        let run = try #require(try audit.records().last { $0.event == "alert_run" })
        #expect(run.fields["outcome"]?.stringValue == "healthy")
        #expect(try hostState() == before)
        #expect(try fs.readText(Self.maxPath).hasPrefix("262144"))
    }

    @Test func aJobThatKeepsStoppingServeMidRunIsInterruptedNotStartedForever() async throws {
        let queue = try AlertQueue(fileSystem: fs)
        let intake = AlertIntake(ctx: ctx, config: try config(), queue: queue, audit: audit)
        let key = try #require(await intake.receive(alert(threshold: "0.95")).decisions.first?.jobKey)
        // Serve "crashes" mid-run: the job is left running with its start counted on disk.
        _ = try await queue.next()
        let first = try AlertQueue(fileSystem: fs)
        #expect(await first.requeued.map(\.key) == [key], "one more start is allowed")
        #expect(await first.job(key)?.starts == 1)
        _ = try await first.next()
        let second = try AlertQueue(fileSystem: fs)
        #expect(await second.requeued.isEmpty)
        #expect(await second.interrupted.map(\.key) == [key])
        #expect(await second.job(key)?.status == .done)
        #expect(await second.job(key)?.outcome == "interrupted")
        #expect(await second.depth == 0)
        let worker = AlertWorker(ctx: ctx, queue: second, audit: audit, budget: AttemptBudget(), auditLogPath: nil)
        await worker.auditRequeued()
        #expect(await worker.runNext() == false, "never started again")
        #expect(await (try AlertQueue(fileSystem: fs)).interrupted.isEmpty, "and not reported again at the next start")
        let record = try #require(try audit.records().last { $0.event == "alert_run" })
        #expect(record.fields["outcome"]?.stringValue == "interrupted")
        #expect(output.standardError.contains("interrupted 2 time(s) mid-run; not started again"))
    }

    @Test func theWorkersOutputEscapesAlertNamesAndFingerprints() async throws {
        let queue = try AlertQueue(fileSystem: fs)
        let planted = AlertJob(key: "fedcba9876543210", sequence: 0, fingerprint: "\u{1B}[2J", startsAt: "s",
                               alertName: "X\nalert Y (0): table-full unattended → remediated", route: "r",
                               playbookPath: "/nonexistent/playbook.yaml", playbookName: "table-full", mode: .dryRun,
                               allowDestructive: false, settings: [:], status: .queued, receivedAt: Date())
        _ = try await queue.enqueue(planted)
        let worker = AlertWorker(ctx: ctx, queue: queue, audit: audit, budget: AttemptBudget(), auditLogPath: nil)
        #expect(await worker.runNext())
        #expect(output.standardOutput.contains("alert X\\x0Aalert Y (0): table-full unattended → remediated (\\x1B[2J): table-full dry-run → invalid"))
        #expect(!output.standardOutput.contains("\u{1B}"))
        let record = try #require(try audit.records().last { $0.event == "alert_run" })
        #expect(record.fields["fingerprint"]?.stringValue == "\u{1B}[2J", "the audit log keeps the exact value")
    }
}
