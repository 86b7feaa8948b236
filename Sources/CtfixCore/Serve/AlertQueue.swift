import Foundation

/// The durable queue between the webhook and the worker: one file per job under the host's
/// `/var/lib/ctfix/queue/`, each written atomically (temp file, fsync, rename, fsync of the
/// directory) before the webhook answers 2xx, so an accepted alert survives a crash or restart.
/// Finished and cancelled jobs stay (for dedupe) until `retention` has passed.
///
/// An actor: concurrent deliveries of the same alert are serialized, so exactly one is queued.
public actor AlertQueue {
    public static let directory = "/var/lib/ctfix/queue"

    let fileSystem: any FileSystem
    let directory: String
    private var jobs: [String: AlertJob] = [:]
    private var nextSequence = 1

    /// Loads every job on disk. Jobs left `running` by a process that died are queued again
    /// (returned as `requeued`, so the caller can audit it): the executor re-detects before
    /// acting, so a second attempt is safe. But only up to `maxStarts` starts (counted on disk
    /// before each run): a job whose run crashed serve that often is marked `interrupted`.
    public init(fileSystem: any FileSystem, directory: String = AlertQueue.directory,
                retention: Duration = .seconds(7 * 86400), now: Date = Date()) throws(FileSystemError) {
        self.fileSystem = fileSystem
        self.directory = directory
        try fileSystem.createDirectory(directory)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = ISO8601Time.decodingStrategy
        var loaded: [String: AlertJob] = [:]
        let names: [String]
        do { names = try fileSystem.listDirectory(directory) } catch {
            guard error.reason == .notFound else { throw error }
            names = []
        }
        for name in names where name.hasSuffix(".json") {
            let path = "\(directory)/\(name)"
            guard let job = try? decoder.decode(AlertJob.self, from: try fileSystem.readFile(path)) else {
                throw FileSystemError(path: path, reason: .io("not a ctfix queue job; move it away"))
            }
            let finished = job.status == .done || job.status == .cancelled
            if finished, now.timeIntervalSince(job.receivedAt) > retention.seconds {
                try fileSystem.removeFile(path)
                continue
            }
            loaded[job.key] = job
        }
        jobs = loaded
        nextSequence = (loaded.values.map(\.sequence).max() ?? 0) + 1
        for (key, job) in loaded.sorted(by: { $0.value.sequence < $1.value.sequence }) where job.status == .running {
            var again = job
            if (job.starts ?? 1) >= Self.maxStarts {
                // Started maxStarts times and never finished: the run itself may be what kills
                // serve (a crash loop). Never started again; audited as interrupted.
                again.status = .done
                again.outcome = "interrupted"
                try Self.write(again, fileSystem: fileSystem, directory: directory)
                jobs[key] = again
                interrupted.append(again)
            } else {
                again.status = .queued
                try Self.write(again, fileSystem: fileSystem, directory: directory)
                jobs[key] = again
                requeued.append(again)
            }
        }
    }

    /// A job found `running` at start-up after this many starts is not started again.
    public static let maxStarts = 2

    /// Jobs found `running` at load and queued again (started fewer than `maxStarts` times).
    public private(set) var requeued: [AlertJob] = []
    /// Jobs found `running` at load after `maxStarts` starts: marked done, outcome `interrupted`.
    public private(set) var interrupted: [AlertJob] = []

    /// The stored job with this key, whatever its status.
    public func job(_ key: String) -> AlertJob? { jobs[key] }

    /// Jobs waiting to run.
    public var depth: Int { jobs.values.count { $0.status == .queued } }

    /// Every job, oldest first.
    public var all: [AlertJob] { jobs.values.sorted { $0.sequence < $1.sequence } }

    /// Queues a job durably. Returns the existing job instead when its key is already known
    /// (a duplicate delivery); nothing is written then.
    public func enqueue(_ job: AlertJob) throws(FileSystemError) -> (job: AlertJob, isNew: Bool) {
        if let existing = jobs[job.key] { return (existing, false) }
        var stored = job
        stored.sequence = nextSequence
        stored.status = .queued
        try Self.write(stored, fileSystem: fileSystem, directory: directory)
        nextSequence += 1
        jobs[stored.key] = stored
        return (stored, true)
    }

    /// Cancels the queued (not yet started) job of this alert occurrence; nil when there is none.
    public func cancel(key: String) throws(FileSystemError) -> AlertJob? {
        guard var job = jobs[key], job.status == .queued else { return nil }
        job.status = .cancelled
        try Self.write(job, fileSystem: fileSystem, directory: directory)
        jobs[key] = job
        return job
    }

    /// Takes the oldest queued job and marks it running (durably) before returning it.
    public func next() throws(FileSystemError) -> AlertJob? {
        guard var job = jobs.values.filter({ $0.status == .queued }).min(by: { $0.sequence < $1.sequence }) else { return nil }
        job.status = .running
        job.starts = (job.starts ?? 0) + 1
        try Self.write(job, fileSystem: fileSystem, directory: directory)
        jobs[job.key] = job
        return job
    }

    /// Records how a running job ended.
    public func finish(key: String, runID: String?, outcome: String) throws(FileSystemError) {
        guard var job = jobs[key] else { return }
        job.status = .done
        job.runID = runID
        job.outcome = outcome
        try Self.write(job, fileSystem: fileSystem, directory: directory)
        jobs[key] = job
    }

    /// Puts a job taken by `next()` back, unstarted (a stop before the run began).
    public func requeue(key: String) throws(FileSystemError) {
        guard var job = jobs[key], job.status == .running else { return }
        job.status = .queued
        try Self.write(job, fileSystem: fileSystem, directory: directory)
        jobs[key] = job
    }

    static func write(_ job: AlertJob, fileSystem: any FileSystem, directory: String) throws(FileSystemError) {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = ISO8601Time.encodingStrategy
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(job)) ?? Data()
        try fileSystem.writeAtomically(data, to: "\(directory)/\(job.key).json", mode: 0o600)
    }
}
