import CtfixCore
import CtfixServer
import Foundation
import Testing

/// `ctfix serve` over real loopback HTTP, in-process: the status codes Alertmanager and
/// abusers see, health and metrics, and a burst of duplicate deliveries.
@Suite(.serialized) struct WebhookServerTests {
    @Test func anAlertIsAcceptedQueuedAndRunOnce() async throws {
        let fixture = try ServerFixture()
        try await fixture.withServer { server in
            let reply = try await LoopbackHTTP.send("POST", fixture.base + "/alerts", headers: ServerFixture.authorized,
                                                    body: ServerFixture.payload())
            #expect(reply.status == 200)
            #expect(reply.body.contains("queued"))
            let runs = try await waitForRuns(fixture.audit, count: 1)
            #expect(runs[0].fields["trigger"]?.stringValue == "alertmanager:c0ffee00c0ffee00")
            #expect(runs[0].fields["mode"]?.stringValue == "dry_run")
            let metrics = try await LoopbackHTTP.send("GET", fixture.base + "/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.body.contains(#"ctfix_serve_alerts_total{outcome="queued"} 1"#))
            #expect(metrics.body.contains("ctfix_serve_queue_depth 0"))
            try await waitFor { server.metrics.text().contains(#"ctfix_serve_runs_total{outcome="dry_run"} 1"#) }
            #expect(server.metrics.text().contains("ctfix_serve_last_run_timestamp_seconds"))
        }
    }

    @Test func missingOrWrongCredentialsGet401AndNothingIsQueued() async throws {
        let fixture = try ServerFixture()
        try await fixture.withServer { server in
            let none = try await LoopbackHTTP.send("POST", fixture.base + "/alerts", body: ServerFixture.payload())
            #expect(none.status == 401)
            #expect(none.headers["www-authenticate"] == "Bearer realm=\"ctfix\"")
            let wrong = try await LoopbackHTTP.send("POST", fixture.base + "/alerts",
                                                    headers: ["Authorization": "Bearer \(ServerFixture.token)x"], body: ServerFixture.payload())
            #expect(wrong.status == 401)
            #expect(await server.queue.all.isEmpty)
            #expect(try fixture.audit.records().filter { $0.event.hasPrefix("alert") }.isEmpty)
        }
    }

    @Test func abuseGetsTheRightStatusAndChangesNothing() async throws {
        let fixture = try ServerFixture(maxBodyBytes: 4096)
        try await fixture.withServer { server in
            let big = Data(repeating: UInt8(ascii: " "), count: 64 * 1024)
            let oversize = try await LoopbackHTTP.send("POST", fixture.base + "/alerts", headers: ServerFixture.authorized, body: big)
            #expect(oversize.status == 413)

            let malformed = try await LoopbackHTTP.send("POST", fixture.base + "/alerts", headers: ServerFixture.authorized,
                                                        body: Data("{\"status\": \"firing\", \"alerts\": [{\"status\": \"firing\", \"labels\": {\"a\": 1}}]}".utf8))
            #expect(malformed.status == 400)
            #expect(malformed.body.contains("$.alerts[0].labels.a"))
            let broken = try await LoopbackHTTP.send("POST", fixture.base + "/alerts", headers: ServerFixture.authorized,
                                                     body: Data("{\n\"alerts\": [".utf8))
            #expect(broken.status == 400)
            #expect(broken.body.contains("not valid JSON"))

            let get = try await LoopbackHTTP.send("GET", fixture.base + "/alerts")
            #expect(get.status == 405)
            #expect(get.headers["allow"] == "POST")
            let put = try await LoopbackHTTP.send("PUT", fixture.base + "/alerts", headers: ServerFixture.authorized, body: ServerFixture.payload())
            #expect(put.status == 405)
            let postHealth = try await LoopbackHTTP.send("POST", fixture.base + "/healthz", body: Data("{}".utf8))
            #expect(postHealth.status == 405)
            let unknown = try await LoopbackHTTP.send("POST", fixture.base + "/nope", headers: ServerFixture.authorized, body: ServerFixture.payload())
            #expect(unknown.status == 404)
            let health = try await LoopbackHTTP.send("GET", fixture.base + "/healthz")
            #expect(health.status == 200)

            #expect(await server.queue.all.isEmpty)
            let metrics = try await LoopbackHTTP.send("GET", fixture.base + "/metrics")
            #expect(metrics.body.contains(#"ctfix_serve_requests_rejected_total{status="413"} 1"#))
            #expect(metrics.body.contains(#"ctfix_serve_requests_rejected_total{status="400"} 2"#))
        }
    }

    @Test func aThousandDuplicateDeliveriesInABurstMakeExactlyOneRun() async throws {
        let fixture = try ServerFixture()
        try await fixture.withServer { server in
            let body = ServerFixture.payload()
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<1000 {
                    group.addTask {
                        try await LoopbackHTTP.send("POST", fixture.base + "/alerts", headers: ServerFixture.authorized, body: body).status
                    }
                }
                var all: [Int] = []
                for try await status in group { all.append(status) }
                return all
            }
            #expect(statuses.count == 1000)
            #expect(statuses.allSatisfy { $0 == 200 })
            _ = try await waitForRuns(fixture.audit, count: 1)
            // Give a wrongly queued second job the time to start before counting.
            try await waitFor { await server.queue.depth == 0 }
            let records = try fixture.audit.records()
            #expect(records.filter { $0.event == "run_start" }.count == 1)
            #expect(records.filter { $0.event == "alert_received" }.count == 1000)
            let decisions = records.filter { $0.event == "alert_decision" }.compactMap { $0.fields["decision"]?.stringValue }
            #expect(decisions.filter { $0 == "queued" }.count == 1)
            #expect(decisions.filter { $0 == "deduped" }.count == 999)
            #expect(await server.queue.all.count == 1)
            #expect(try fixture.audit.verify().ok)
        }
    }

    @Test func anAlertThatCannotBeQueuedGets503SoAlertmanagerRetries() async throws {
        let fixture = try ServerFixture()
        try await fixture.withServer { server in
            // The queue directory replaced by a plain file: no job file can be written in it.
            let queue = fixture.root + AlertQueue.directory
            try FileManager.default.removeItem(atPath: queue)
            try "not a directory".write(toFile: queue, atomically: true, encoding: .utf8)
            let reply = try await LoopbackHTTP.send("POST", fixture.base + "/alerts", headers: ServerFixture.authorized,
                                                    body: ServerFixture.payload())
            #expect(reply.status == 503)
            #expect(reply.headers["retry-after"] == "10")
            #expect(reply.body.contains("could not audit or queue the alert"))
            #expect(await server.queue.all.isEmpty)

            // Once the directory is back, Alertmanager's retry is accepted.
            try FileManager.default.removeItem(atPath: queue)
            try FileManager.default.createDirectory(atPath: queue, withIntermediateDirectories: true)
            let retry = try await LoopbackHTTP.send("POST", fixture.base + "/alerts", headers: ServerFixture.authorized,
                                                    body: ServerFixture.payload())
            #expect(retry.status == 200)
            #expect(retry.body.contains("queued"))
        }
    }

    @Test func aResolvedNotificationIsAcceptedAndAudited() async throws {
        let fixture = try ServerFixture()
        try await fixture.withServer { _ in
            let reply = try await LoopbackHTTP.send("POST", fixture.base + "/alerts", headers: ServerFixture.authorized,
                                                    body: ServerFixture.payload(status: "resolved"))
            #expect(reply.status == 200)
            #expect(reply.body.contains("resolved"))
            let other = try await LoopbackHTTP.send("POST", fixture.base + "/alerts", headers: ServerFixture.authorized,
                                                    body: ServerFixture.payload(instance: "web9:9100"))
            #expect(other.body.contains("not_for_this_host"))
        }
    }
}

/// Waits (at most 60 s) for `count` run_start records in the audit log.
func waitForRuns(_ audit: AuditLog, count: Int) async throws -> [AuditRecord] {
    var runs: [AuditRecord] = []
    try await waitFor {
        runs = ((try? audit.records()) ?? []).filter { $0.event == "run_start" }
        return runs.count >= count && ((try? audit.records()) ?? []).contains { $0.event == "alert_run" }
    }
    return runs
}

struct TimedOut: Error {}

/// Polls `condition` every 50 ms for at most `timeout`; throws instead of hanging.
func waitFor(timeout: Duration = .seconds(60), _ condition: () async -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    throw TimedOut()
}
