import CtfixCore
import ServiceLifecycle

/// The queue worker as a service of the server's group: it stops taking jobs on graceful
/// shutdown (SIGTERM/SIGINT) but finishes the run in progress first; a job taken but not
/// started stays queued on disk for the next start.
struct WorkerService: Service {
    let worker: AlertWorker

    func run() async throws {
        await worker.auditRequeued()
        await worker.run(shouldStop: { Task.isShuttingDownGracefully || Task.isCancelled })
    }
}
