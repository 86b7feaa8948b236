import CtfixCore
import Foundation
import Synchronization

/// `ctfix serve`: checks everything that can be checked before listening (config, secrets,
/// listen address, queue, audit log) and refuses to start on any problem, each with its own
/// exit status; then serves until SIGTERM/SIGINT.
public struct ServeCommand: Sendable {
    public var configPath: String
    /// `HOST:PORT`; `127.0.0.1:9095` by default (loopback only unless told otherwise).
    public var listen: String
    public var auditLogPath: String?
    /// Accept unauthenticated requests (only when the config has no `auth`).
    public var insecureNoAuth: Bool

    public init(configPath: String, listen: String = "127.0.0.1:9095", auditLogPath: String? = nil, insecureNoAuth: Bool = false) {
        self.configPath = configPath
        self.listen = listen
        self.auditLogPath = auditLogPath
        self.insecureNoAuth = insecureNoAuth
    }

    /// `HOST:PORT` (`[::1]:9095` for IPv6) split; nil when it is not one.
    public static func parseListen(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        return (host, port)
    }

    public func run(_ ctx: CtfixContext) async -> ExitStatus {
        let config: ServeConfig
        do {
            config = try ServeConfigLoader.load(path: configPath, environment: ctx.environment)
        } catch {
            for diagnostic in error.diagnostics { ctx.output.errorLine(diagnostic.description) }
            let missing = error.diagnostics.count == 1 && error.diagnostics[0].message.hasPrefix("serve config no such file")
            return missing ? .noInput : .invalidInput
        }
        if config.auth == nil && !insecureNoAuth {
            ctx.output.errorLine("ctfix serve: \(configPath): no 'auth' configured; refusing to accept unauthenticated alerts (add auth.bearer_token_file or auth.basic_auth, or pass --insecure-no-auth)")
            return .refused
        }
        if config.auth != nil && insecureNoAuth {
            ctx.output.errorLine("ctfix serve: warning: --insecure-no-auth ignored: the config has 'auth'")
        }
        guard let address = Self.parseListen(listen) else {
            ctx.output.errorLine("ctfix serve: --listen: expected HOST:PORT such as 127.0.0.1:9095, got '\(listen)'")
            return .usage
        }
        let (host, port) = address
        if let reason = ListenProbe.failure(host: host, port: port) {
            ctx.output.errorLine("ctfix serve: cannot listen on \(TerminalText.escape(listen)): \(reason)")
            return .unavailable
        }
        let server: ServeServer
        do {
            server = try ServeServer(ctx: ctx, config: config, host: host, port: port, auditLogPath: auditLogPath)
        } catch {
            ctx.output.errorLine("ctfix serve: cannot open the alert queue: \(error)")
            return .noInput
        }
        let runID = "serve-\(getpid())"
        let listening = Listening()
        do {
            try await server.run {
                // Audited only once the socket is bound: a server that never listened has no start.
                try server.audit.append(event: "serve_start", runID: runID, time: Date(), fields: [
                    "config": .string(configPath), "listen": .string(listen), "path": .string(config.path),
                    "host": .string(server.intake.hostName), "auth": .bool(config.auth != nil),
                    "routes": .array(config.routes.map { .string("\($0.name) → \($0.playbookName) (\($0.mode.rawValue))") }),
                    "root": .string(ctx.fileSystem.rootDescription),
                ])
                listening.started()
                ctx.output.line("ctfix serve: listening on \(host):\(port), POST \(config.path) (host \(TerminalText.escape(server.intake.hostName)), \(config.routes.count) route(s), audit log \(server.audit.path))")
            }
        } catch let error as AuditError where !listening.hasStarted {
            ctx.output.errorLine("ctfix serve: refusing to start: \(error) (alerts that cannot be audited are not accepted)")
            return .refused
        } catch where !listening.hasStarted {
            ctx.output.errorLine("ctfix serve: cannot listen on \(TerminalText.escape(listen)): \(error)")
            return .unavailable
        } catch {
            ctx.output.errorLine("ctfix serve: \(error)")
            stop(server, runID: runID, failure: "\(error)", ctx: ctx)
            return .failed
        }
        stop(server, runID: runID, failure: nil, ctx: ctx)
        ctx.output.line("ctfix serve: stopped")
        return .ok
    }

    /// The `serve_stop` record: what this server handled, so the log shows every start's end.
    /// `outcome` is `stopped` (SIGTERM/SIGINT: the running job finished first) or `failed`.
    private func stop(_ server: ServeServer, runID: String, failure: String?, ctx: CtfixContext) {
        let handled = server.metrics.handled
        do {
            try server.audit.append(event: "serve_stop", runID: runID, time: Date(), fields: [
                "outcome": .string(failure == nil ? "stopped" : "failed"),
                "error": failure.map(JSONValue.string) ?? .null,
                "alerts": .object(handled.alerts.mapValues { .number(Double($0)) }),
                "jobs": .object(handled.jobs.mapValues { .number(Double($0)) }),
            ])
        } catch {
            ctx.output.errorLine("ctfix serve: could not audit the stop: \(error)")
        }
    }
}

/// Whether the server got as far as listening (set from the server's start callback).
private final class Listening: Sendable {
    private let state = Mutex(false)
    func started() { state.withLock { $0 = true } }
    var hasStarted: Bool { state.withLock { $0 } }
}
