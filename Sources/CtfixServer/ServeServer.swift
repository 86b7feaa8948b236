import CtfixCore
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import ServiceLifecycle
import UnixSignals

/// `ctfix serve` assembled: the durable queue, the intake, the worker and the HTTP server in one
/// service group that stops gracefully on SIGTERM/SIGINT (the server stops accepting first,
/// then the worker finishes its current run).
public struct ServeServer: Sendable {
    public let ctx: CtfixContext
    public let config: ServeConfig
    public let host: String
    public let port: Int
    public let audit: AuditLog
    public let auditLogPath: String?
    public let metrics: ServeMetrics
    public let queue: AlertQueue
    /// The one intake of this server (an actor: it serializes audit appends).
    public let intake: AlertIntake

    /// Opens the queue under the context's root (`/var/lib/ctfix/queue`).
    public init(ctx: CtfixContext, config: ServeConfig, host: String, port: Int, auditLogPath: String?,
                metrics: ServeMetrics = ServeMetrics()) throws(FileSystemError) {
        self.ctx = ctx
        self.config = config
        self.host = host
        self.port = port
        self.auditLogPath = auditLogPath
        self.metrics = metrics
        audit = Self.auditLog(ctx: ctx, path: auditLogPath)
        queue = try AlertQueue(fileSystem: ctx.fileSystem)
        intake = AlertIntake(ctx: ctx, config: config, queue: queue, audit: audit, observer: metrics)
    }

    /// The audit log runs and decisions share: `--audit-log` (a path of this machine) or the
    /// host's `/var/log/ctfix/audit.jsonl` under the root — the same rule as the executor's.
    public static func auditLog(ctx: CtfixContext, path: String?) -> AuditLog {
        if let path, let fileSystem = try? RootedFileSystem(root: "/") {
            let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
            return AuditLog(fileSystem: fileSystem, path: absolute)
        }
        return AuditLog(fileSystem: ctx.fileSystem)
    }

    public var worker: AlertWorker {
        AlertWorker(ctx: ctx, queue: queue, audit: audit, budget: config.budget, auditLogPath: auditLogPath, observer: metrics)
    }

    /// The server's logger. Hummingbird would take `LOG_LEVEL` from the environment as is, and at
    /// `debug` service-lifecycle describes the worker's context, environment included (secrets
    /// passed that way reached stdout): levels below `info` are not honoured.
    static func logger(environment: [String: String] = ProcessInfo.processInfo.environment) -> Logger {
        var logger = Logger(label: "ctfix/\(CtfixVersion.current)")
        logger.logLevel = .info
        if let level = environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)), level > .info { logger.logLevel = level }
        return logger
    }

    /// Runs until SIGTERM/SIGINT (graceful; only when `handleSignals`) or cancellation of the
    /// calling task (tests run several servers in one process and stop them that way).
    /// `onListening` runs once the socket is bound (so `serve_start` is only ever audited for a
    /// server that listens); if it throws, the server stops and `run` throws that error.
    public func run(handleSignals: Bool = true, onListening: @escaping @Sendable () async throws -> Void = {}) async throws {
        let signals: [UnixSignal] = handleSignals ? [.sigterm, .sigint] : []
        metrics.queueDepthChanged(await queue.depth)
        let responder = WebhookResponder(config: config, intake: intake, metrics: metrics)
        let (startFailures, reportStartFailure) = AsyncStream<any Error>.makeStream()
        let app = Application(
            responder: CallbackResponder { request, context in try await responder.respond(to: request, context: context) },
            server: .http1(configuration: .init(idleTimeout: .nanoseconds(Int64(config.idleTimeout.seconds * 1e9)))),
            configuration: .init(address: .hostname(host, port: port), serverName: "ctfix/\(CtfixVersion.current)",
                                 availableConnectionsDelegate: MaximumAvailableConnections(config.maxConnections)),
            services: [WorkerService(worker: worker)],
            onServerRunning: { _ in
                do { try await onListening() } catch { reportStartFailure.yield(error) }
            },
            logger: Self.logger()
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService(gracefulShutdownSignals: signals) }
            group.addTask {
                // Ends when the server ends (cancelled below) or throws the start failure.
                for await error in startFailures { throw error }
            }
            try await group.next()
            group.cancelAll()
        }
    }
}
