import CtfixCore
import Foundation
import Testing

/// The real Alertmanager (Debian's prometheus-alertmanager) as the webhook client of the built
/// `ctfix serve`, on loopback, against a copy of the seed host: an alert added with amtool is
/// routed, authenticated with the token file, run unattended and audited; Alertmanager's
/// repeat of the same alert is deduped; its resolve is audited; a caller without the token
/// gets 401 and runs nothing. Every process started is stopped, also on failure.
@Suite(.serialized) struct AlertmanagerIntegrationTests {
    @Test(.enabled(if: AlertmanagerSupport.available, "needs prometheus-alertmanager, amtool and the built ctfix"))
    func anAlertFromAlertmanagerRunsThePlaybookOnceAndIsAudited() async throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("ctfix-am-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let root = "\(work)/host"
        try FileManager.default.copyItem(atPath: PackagePaths.root.appendingPathComponent("examples/hosts/centos5-ip-conntrack").path, toPath: root)
        let examples = PackagePaths.root.appendingPathComponent("examples/serve").path
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: "\(examples)/token")  // docs/serve.md: chmod 600
        let auditPath = "\(work)/audit.jsonl"
        let ctfixPort = AlertmanagerSupport.freePort()
        let amPort = AlertmanagerSupport.freePort()
        let amURL = "http://127.0.0.1:\(amPort)"

        let amConfig = try String(contentsOfFile: "\(examples)/alertmanager.yml", encoding: .utf8)
            .replacingOccurrences(of: "127.0.0.1:9095/", with: "127.0.0.1:\(ctfixPort)/")
            .replacingOccurrences(of: "credentials_file: token", with: "credentials_file: \(examples)/token")
            .replacingOccurrences(of: "repeat_interval: 1h", with: "repeat_interval: 3s")
        #expect(amConfig.contains(":\(ctfixPort)/alerts") && amConfig.contains("\(examples)/token") && amConfig.contains("repeat_interval: 3s"))
        try amConfig.write(toFile: "\(work)/alertmanager.yml", atomically: true, encoding: .utf8)

        let serve = try AlertmanagerSupport.Background(
            [PackagePaths.ctfixBinary.path, "serve", "--config", "\(examples)/routes.yaml", "--root", root,
             "--listen", "127.0.0.1:\(ctfixPort)", "--audit-log", auditPath], name: "ctfix-serve", directory: work)
        var alertmanager: AlertmanagerSupport.Background?
        do {
            try await AlertmanagerSupport.waitFor("ctfix serve /healthz", timeout: .seconds(30)) {
                (try? await AlertmanagerSupport.send("GET", "http://127.0.0.1:\(ctfixPort)/healthz"))?.status == 200
            }
            alertmanager = try AlertmanagerSupport.Background(
                [AlertmanagerSupport.alertmanager, "--config.file=\(work)/alertmanager.yml", "--storage.path=\(work)/am-data",
                 "--web.listen-address=127.0.0.1:\(amPort)", "--cluster.listen-address="], name: "alertmanager", directory: work)
            try await AlertmanagerSupport.waitFor("Alertmanager /-/ready", timeout: .seconds(30)) {
                (try? await AlertmanagerSupport.send("GET", "\(amURL)/-/ready"))?.status == 200
            }

            // No token: 401 with a challenge, nothing audited as received, nothing run.
            let anonymous = try await AlertmanagerSupport.send("POST", "http://127.0.0.1:\(ctfixPort)/alerts",
                                                               headers: ["Content-Type": "application/json"],
                                                               body: Data(#"{"alerts":[{"labels":{"alertname":"ConntrackTableNearlyFull","instance":"server"}}]}"#.utf8))
            #expect(anonymous.status == 401)
            #expect(anonymous.headers["www-authenticate"]?.hasPrefix("Bearer") == true)

            // Exactly the labels the shipped Prometheus rule sends, plus node_exporter's instance.
            let rule = try DeployAlertingTests.rule(named: "ConntrackTableNearlyFull")
            let ruleLabels = try #require(rule["labels"].value as? [String: Any])
            let labels = ["alertname=ConntrackTableNearlyFull", "instance=server:9100"] + ruleLabels.map { "\($0.key)=\($0.value)" }.sorted()
            let added = try await RealKernel.runner.run([AlertmanagerSupport.amtool, "alert", "add"] + labels
                                                        + ["--alertmanager.url=\(amURL)"], timeout: .seconds(30))
            #expect(added.succeeded, "amtool: \(added.standardError)")

            try await AlertmanagerSupport.waitFor("the alert's run to end", timeout: .seconds(90)) {
                AlertmanagerSupport.records(auditPath).contains { $0.event == "alert_run" }
            }
            var records = AlertmanagerSupport.records(auditPath)
            let received = try #require(records.first { $0.event == "alert_received" })
            let fingerprint = try #require(received.fields["fingerprint"]?.stringValue)
            #expect(received.fields["receiver"]?.stringValue == "ctfix")
            let start = try #require(records.first { $0.event == "run_start" })
            #expect(start.fields["trigger"]?.stringValue == "alertmanager:\(fingerprint)")
            #expect(start.fields["mode"]?.stringValue == "unattended")
            let decision = try #require(records.first { $0.event == "alert_decision" })
            #expect(decision.fields["route"]?.stringValue == "conntrack-table-nearly-full")
            let run = try #require(records.first { $0.event == "alert_run" })
            #expect(run.fields["outcome"]?.stringValue == "unverified", "\(serve.output)") // a snapshot copy's counters cannot be measured again after the actions
            let max = try String(contentsOfFile: "\(root)/proc/sys/net/ipv4/netfilter/ip_conntrack_max", encoding: .utf8)
            #expect(max.trimmingCharacters(in: .whitespacesAndNewlines) == "65536")

            // Alertmanager repeats the unchanged alert every repeat_interval (3 s): deduped.
            try await AlertmanagerSupport.waitFor("a repeated notification to be deduped", timeout: .seconds(60)) {
                AlertmanagerSupport.records(auditPath).contains { $0.event == "alert_decision" && $0.fields["decision"]?.stringValue == "deduped" }
            }

            // Ending the alert makes Alertmanager send `resolved`; nothing is queued to cancel.
            let now = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-1))
            let ended = try await RealKernel.runner.run([AlertmanagerSupport.amtool, "alert", "add"] + labels
                                                        + ["--end=\(now)", "--alertmanager.url=\(amURL)"], timeout: .seconds(30))
            #expect(ended.succeeded, "amtool: \(ended.standardError)")
            try await AlertmanagerSupport.waitFor("the resolved notification", timeout: .seconds(60)) {
                AlertmanagerSupport.records(auditPath).contains { $0.event == "alert_decision" && $0.fields["decision"]?.stringValue == "resolved" }
            }

            records = AlertmanagerSupport.records(auditPath)
            #expect(records.filter { $0.event == "run_start" }.count == 1, "exactly one run")
            #expect(records.filter { $0.event == "alert_decision" && $0.fields["decision"]?.stringValue == "queued" }.count == 1)
            let verified = try AuditLog(fileSystem: try RootedFileSystem(root: "/"), path: auditPath).verify()
            #expect(verified.ok)
        } catch {
            await alertmanager?.stop()
            await serve.stop()
            Issue.record("ctfix serve said:\n\(serve.output)\nalertmanager said:\n\(alertmanager?.output ?? "")")
            throw error
        }
        await alertmanager?.stop()
        let status = await serve.stop()
        #expect(status == 0, "ctfix serve stops gracefully on SIGTERM: \(serve.output)")
        #expect(serve.output.contains("ctfix serve: stopped"))
        // Alertmanager's last snapshot files may land while the first removal walks the tree.
        for _ in 0..<3 where FileManager.default.fileExists(atPath: work) {
            try? FileManager.default.removeItem(atPath: work)
        }
    }
}
