import CtfixCore
import CtfixServer
import Foundation

/// An in-process `ctfix serve` on a copy of the seed host, listening on a free loopback port,
/// with a bearer token and one route; stopped (and awaited) when the body returns or throws.
struct ServerFixture {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let token = "test-token-7f3a9c"

    let root: String
    let ctx: CtfixContext
    let config: ServeConfig
    let port: Int
    var base: String { "http://127.0.0.1:\(port)" }
    var audit: AuditLog { AuditLog(fileSystem: ctx.fileSystem) }

    init(mode: ServeMode = .dryRun, maxBodyBytes: Int = 1 << 20, configure: (inout ServeConfig) -> Void = { _ in }) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("ctfix-serve-host-\(UUID().uuidString)").path
        try FileManager.default.copyItem(atPath: "\(Self.packageRoot)/examples/hosts/centos5-ip-conntrack", toPath: root)
        ctx = try CtfixContext.live(root: root)
        var config = ServeConfig()
        config.auth = .bearer(token: Self.token)
        config.maxBodyBytes = maxBodyBytes
        let playbookPath = "\(Self.packageRoot)/playbooks/table-full.yaml"
        let playbook = try PlaybookLoader.load(path: playbookPath)
        config.routes = [ServeRoute(name: "table-full", matchers: [LabelMatcher(label: "alertname", kind: .equal("ConntrackTableFull"))],
                                    playbookPath: playbookPath, playbookName: playbook.name, cooldown: playbook.cooldown, mode: mode)]
        configure(&config)
        self.config = config
        port = LoopbackHTTP.freePort()
    }

    /// Runs `body` while the server is up.
    func withServer<T>(_ body: (ServeServer) async throws -> T) async throws -> T {
        let server = try ServeServer(ctx: ctx, config: config, host: "127.0.0.1", port: port, auditLogPath: nil)
        let task = Task { try await server.run(handleSignals: false) }
        do {
            try await LoopbackHTTP.waitUntilUp(base + "/healthz")
            let result = try await body(server)
            task.cancel()
            _ = await task.result
            try? FileManager.default.removeItem(atPath: root)
            return result
        } catch {
            task.cancel()
            _ = await task.result
            throw error
        }
    }

    static func payload(status: String = "firing", startsAt: String = "2026-11-22T03:12:40.5Z", instance: String = "server:9100") -> Data {
        Data("""
        {"version":"4","status":"\(status)","receiver":"ctfix","groupKey":"{}:{alertname=\\"ConntrackTableFull\\"}",
         "notification_reason":"new","alerts":[{"status":"\(status)","labels":{"alertname":"ConntrackTableFull","instance":"\(instance)"},
         "annotations":{},"startsAt":"\(startsAt)","endsAt":"0001-01-01T00:00:00Z","fingerprint":"c0ffee00c0ffee00"}]}
        """.utf8)
    }

    static var authorized: [String: String] { ["Authorization": "Bearer \(token)", "Content-Type": "application/json"] }
}
