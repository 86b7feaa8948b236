import CtfixCore
import CtfixServer
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Hostile clients over real loopback HTTP (issue 8): idle and slow connections, bodies that are
/// not strict JSON or too big, floods of alerts for other hosts, bad credentials, a queue that
/// cannot be written. serve must stay up, answer, and say what happened.
@Suite(.serialized) struct HostileClientTests {
    /// A raw TCP connection to 127.0.0.1:`port` (nil when it cannot connect), with a receive
    /// timeout so no read in a test can hang.
    static func connect(_ port: Int) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let ok = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if ok != 0 { close(fd); return nil }
        return fd
    }

    static func readAll(_ fd: Int32) -> String {
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            data += buffer[0..<n]
        }
        return String(decoding: data, as: UTF8.self)
    }

    @Test func threeHundredIdleConnectionsAgainstACapOf256DoNotSilenceHealthz() async throws {
        let fixture = try ServerFixture { config in
            config.maxConnections = 256
            config.idleTimeout = .seconds(1)
        }
        try await fixture.withServer { _ in
            var sockets: [Int32] = []
            defer { for fd in sockets { close(fd) } }
            for _ in 0..<300 {
                guard let fd = Self.connect(fixture.port) else { break }
                sockets.append(fd)
            }
            #expect(sockets.count == 300, "the kernel backlog holds connections over the cap")
            // Every idle connection is closed by serve (idle timeout); over-cap ones are accepted
            // as slots free up and closed in turn. /healthz answers meanwhile.
            let health = try await LoopbackHTTP.send("GET", fixture.base + "/healthz")
            #expect(health.status == 200)
            #expect(Self.readAll(sockets[0]).isEmpty, "an idle connection is closed by serve, not held")
            let delivery = try await LoopbackHTTP.send("POST", fixture.base + "/alerts", headers: ServerFixture.authorized,
                                                       body: ServerFixture.payload())
            #expect(delivery.status == 200)
        }
    }

    @Test func aBodyTrickledSlowerThanTheBodyTimeoutGets408() async throws {
        let fixture = try ServerFixture { $0.bodyTimeout = .seconds(1) }
        try await fixture.withServer { _ in
            let fd = try #require(Self.connect(fixture.port))
            defer { close(fd) }
            let head = "POST /alerts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(ServerFixture.token)\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"status\""
            _ = head.withCString { send(fd, $0, strlen($0), 0) }
            let reply = Self.readAll(fd)
            #expect(reply.hasPrefix("HTTP/1.1 408"), "\(reply.prefix(200))")
        }
    }

    @Test func nonStrictJSONUnknownStatusAndOversizedBodiesGet400NamingThePlace() async throws {
        let fixture = try ServerFixture()
        try await fixture.withServer { server in
            func post(_ body: String) async throws -> LoopbackHTTP.Reply {
                try await LoopbackHTTP.send("POST", fixture.base + "/alerts", headers: ServerFixture.authorized, body: Data(body.utf8))
            }
            let trailing = try await post(#"{"alerts":[{"labels":{"alertname":"X",}},]}"#)
            #expect(trailing.status == 400)
            #expect(trailing.body.contains("line 1, column 39: not valid JSON: trailing comma"))
            let duplicate = try await post(#"{"status":"firing","status":"resolved","alerts":[]}"#)
            #expect(duplicate.status == 400)
            #expect(duplicate.body.contains("duplicate key"))
            for status in ["bogus", "RESOLVED"] {
                let reply = try await post(String(decoding: ServerFixture.payload(), as: UTF8.self).replacingOccurrences(of: "\"firing\"", with: "\"\(status)\""))
                #expect(reply.status == 400)
                #expect(reply.body.contains("$.status") || reply.body.contains("$.alerts[0].status"), "\(reply.body)")
            }
            let alert = #"{"status":"firing","labels":{"alertname":"ConntrackTableFull","instance":"server"}}"#
            let many = try await post("{\"status\":\"firing\",\"alerts\":[" + Array(repeating: alert, count: 1001).joined(separator: ",") + "]}")
            #expect(many.status == 400)
            #expect(many.body.contains("1001 alerts, more than the limit of 1000"))
            #expect(await server.queue.all.isEmpty)
            #expect(try fixture.audit.records().filter { $0.event == "alert_received" }.isEmpty, "nothing of a refused body is audited")
        }
    }

    @Test func aThousandAlertsForOtherHostsCostOneAuditRecord() async throws {
        let fixture = try ServerFixture()
        try await fixture.withServer { server in
            let alerts = (0..<1000).map { #"{"status":"firing","labels":{"alertname":"ConntrackTableFull","instance":"web\#($0).evil.tld"}}"# }
            let reply = try await LoopbackHTTP.send("POST", fixture.base + "/alerts", headers: ServerFixture.authorized,
                                                    body: Data(("{\"status\":\"firing\",\"alerts\":[" + alerts.joined(separator: ",") + "]}").utf8))
            #expect(reply.status == 200)
            let records = try fixture.audit.records().filter { $0.event != "serve_start" }
            #expect(records.map(\.event) == ["alerts_not_for_this_host"])
            #expect(records.first?.fields["count"]?.numberValue == 1000)
            #expect(await server.queue.all.isEmpty)
        }
    }

    @Test func healthzFailsWhenTheQueueCannotBeWrittenAnd401sAreAuditedInAggregate() async throws {
        let fixture = try ServerFixture()
        try await fixture.withServer { _ in
            for _ in 0..<5 {
                let reply = try await LoopbackHTTP.send("POST", fixture.base + "/alerts", headers: ["Authorization": "Bearer wrong"],
                                                        body: ServerFixture.payload())
                #expect(reply.status == 401)
            }
            let unauthorized = try fixture.audit.records().filter { $0.event == "webhook_unauthorized" }
            #expect(unauthorized.count == 1, "one record per minute at most, not one per request")
            #expect(unauthorized.first?.fields["count"]?.numberValue == 1)

            let metrics = try await LoopbackHTTP.send("GET", fixture.base + "/metrics")
            for outcome in ["invalid", "over_budget", "refused", "interrupted", "remediated"] {
                #expect(metrics.body.contains("ctfix_serve_jobs_total{outcome=\"\(outcome)\"} 0"), "\(outcome)")
            }

            let queue = fixture.root + AlertQueue.directory
            try FileManager.default.removeItem(atPath: queue)
            try "not a directory".write(toFile: queue, atomically: true, encoding: .utf8)
            var health = try await LoopbackHTTP.send("GET", fixture.base + "/healthz")
            for _ in 0..<40 where health.status == 200 {  // the probe result is kept for a second
                try await Task.sleep(for: .milliseconds(100))
                health = try await LoopbackHTTP.send("GET", fixture.base + "/healthz")
            }
            #expect(health.status == 503)
            #expect(health.body.contains("alert queue cannot be written"), "\(health.body)")
        }
    }
}
