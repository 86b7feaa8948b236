import CtfixCore
import Foundation
import Testing

/// SIGTERM while an alert's run is in progress: the built `ctfix serve` stops listening but
/// finishes the run (audited to its end, the job marked done) and then exits 0.
@Suite struct AlertmanagerGracefulStopTests {
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: PackagePaths.ctfixBinary.path), "needs the built ctfix"))
    func sigtermFinishesTheRunningJobThenExits() async throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("ctfix-serve-stop-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let root = "\(work)/host"
        try FileManager.default.copyItem(atPath: PackagePaths.root.appendingPathComponent("examples/hosts/centos5-ip-conntrack").path, toPath: root)
        let examples = PackagePaths.root.appendingPathComponent("examples/serve").path
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: "\(examples)/token")  // docs/serve.md: chmod 600
        let token = try String(contentsOfFile: "\(examples)/token", encoding: .utf8).trimmingCharacters(in: .newlines)
        let auditPath = "\(work)/audit.jsonl"
        let port = AlertmanagerSupport.freePort()
        let serve = try AlertmanagerSupport.Background(
            [PackagePaths.ctfixBinary.path, "serve", "--config", "\(examples)/routes.yaml", "--root", root,
             "--listen", "127.0.0.1:\(port)", "--audit-log", auditPath], name: "ctfix-serve", directory: work)
        do {
            try await AlertmanagerSupport.waitFor("ctfix serve /healthz", timeout: .seconds(30)) {
                (try? await AlertmanagerSupport.send("GET", "http://127.0.0.1:\(port)/healthz"))?.status == 200
            }
            let body = #"{"status":"firing","alerts":[{"status":"firing","labels":{"alertname":"ConntrackTableNearlyFull","instance":"server:9100","severity":"critical","remediation":"ctfix","ctfix_playbook":"table-full"},"startsAt":"2026-11-22T03:00:00Z"}]}"#
            let reply = try await AlertmanagerSupport.send("POST", "http://127.0.0.1:\(port)/alerts",
                                                           headers: ["Authorization": "Bearer \(token)"], body: Data(body.utf8))
            #expect(reply.status == 200)
            // The playbook waits 10 s before verifying: stop it while the run is in that wait.
            try await AlertmanagerSupport.waitFor("the run's first applied action", timeout: .seconds(30)) {
                AlertmanagerSupport.records(auditPath).contains { $0.event == "outcome" }
            }
        } catch {
            await serve.stop()
            Issue.record("ctfix serve said:\n\(serve.output)")
            throw error
        }
        let status = await serve.stop(grace: .seconds(60))
        #expect(status == 0, "\(serve.output)")
        let records = AlertmanagerSupport.records(auditPath)
        #expect(records.contains { $0.event == "run_end" })
        let run = try #require(records.first { $0.event == "alert_run" })
        #expect(run.fields["outcome"]?.stringValue == "unverified") // a snapshot copy's counters cannot be measured again after the actions
        let jobs = try FileManager.default.contentsOfDirectory(atPath: "\(root)/var/lib/ctfix/queue")
        let job = try String(contentsOfFile: "\(root)/var/lib/ctfix/queue/\(try #require(jobs.first))", encoding: .utf8)
        #expect(job.contains(#""status":"done""#))
        try? FileManager.default.removeItem(atPath: work)
    }
}
