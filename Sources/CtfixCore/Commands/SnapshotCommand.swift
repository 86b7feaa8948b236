import Foundation

/// `ctfix snapshot DIR`: captures what the shipped playbooks read (procfs/sysfs values, config
/// files, a kernel-log tail, the capture time) into DIR, so a dry-run can be reviewed
/// elsewhere with `--root DIR`. Reads through the context's file system; writes only into DIR
/// (new or empty). See docs/snapshot.md.
public struct SnapshotCommand: Sendable {
    public var directory: String
    /// How much of the kernel log to keep.
    public var logTailBytes: Int
    public var json: Bool
    /// Time between the two samples of the conntrack counters (`/ctfix-stat-samples.json`).
    public var sampleInterval: Duration

    public init(directory: String, logTailBytes: Int = 4 << 20, json: Bool = false, sampleInterval: Duration = .seconds(2)) {
        self.directory = directory
        self.sampleInterval = sampleInterval
        self.logTailBytes = logTailBytes
        self.json = json
    }

    public func run(_ ctx: CtfixContext) async -> ExitStatus {
        let writer: SnapshotWriter
        do {
            writer = try SnapshotWriter.prepare(directory, environment: ctx.environment)
        } catch {
            ctx.output.errorLine("ctfix snapshot: \(error)")
            return .usage
        }
        return await capture(ctx, into: writer)
    }

    /// Everything after DIR was opened and checked: the writes, all through its descriptor.
    func capture(_ ctx: CtfixContext, into writer: SnapshotWriter) async -> ExitStatus {
        let capturedAt = ctx.clock.now()
        var capture = SnapshotCapture(ctx: ctx, writer: writer)
        var counters = StatSampleCapture(ctx: ctx)
        counters.start()
        for entry in SnapshotPaths.entries { capture.capture(entry) }
        capture.captureBootFacts()
        if !ctx.fileSystem.exists("/etc/timezone"), let zone = TimeZone.current.identifier.nilIfEmpty {
            // Local log times of the capture must be read in its zone, not the reviewer's.
            do {
                try writer.writeFile(Data((zone + "\n").utf8), at: "/etc/timezone")
                capture.notes.append("/etc/timezone: absent on the host; written as \(zone), the capturing process's zone")
            } catch {
                capture.skipped.append("/etc/timezone: cannot write into the snapshot: \(error)")
            }
        }
        switch await KernelLogTailCapture(ctx: ctx, limit: logTailBytes).capture() {
        case .success(let tail):
            do {
                try writer.writeFile(Data(tail.bytes), at: tail.hostPath)
                capture.notes.append(tail.note)
            } catch {
                capture.skipped.append("\(tail.hostPath): cannot write into the snapshot: \(error.localizedDescription)")
            }
        case .failure(let why):
            capture.skipped.append(why.message)
        }
        switch await counters.finish(interval: sampleInterval, into: writer) {
        case .success(let note): capture.notes.append(note)
        case .failure(let error): capture.skipped.append("\(RecordedStatSamples.path): cannot write into the snapshot: \(error)")
        }
        let facts = HostFacts.read(ctx.fileSystem)
        let kernel = (try? ctx.fileSystem.readText("/proc/version"))?.trimmed(.whitespacesAndNewlines)
        let manifest = SnapshotManifestRecord(capturedAt: capturedAt, hostname: facts.hostName, kernel: kernel,
                                              origin: "ctfix snapshot of \(ctx.fileSystem.rootDescription) (\(CtfixVersion.current))",
                                              skipped: capture.skipped, notes: capture.notes, files: writer.filesWritten)
        let files = writer.filesWritten
        do {
            try writer.writeFile(manifest.encoded(), at: "/" + SnapshotManifest.fileName)
        } catch {
            ctx.output.errorLine("ctfix snapshot: \(error)")
            return .failed
        }
        if json {
            ctx.output.line(String(decoding: manifest.encoded(), as: UTF8.self))
        } else {
            ctx.output.line("captured \(files) files of \(facts.hostName) into \(directory)")
            for note in capture.notes { ctx.output.line("  note: \(note)") }
            for skip in capture.skipped { ctx.output.line("  skipped: \(skip)") }
            ctx.output.line("review with: ctfix run PLAYBOOK --root \(directory) --dry-run")
        }
        return .ok
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
