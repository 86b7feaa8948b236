import Foundation

/// `ctfix watch PLAYBOOK…`: follows the kernel log (a file with inotify, or `/dev/kmsg`) and
/// triggers playbooks unattended when their detection fires. A new line matching a playbook's
/// log pattern triggers that playbook's full detection at once; every `interval` all
/// playbooks' detection (value predicates) is evaluated. One run at a time: lines written
/// during a run stay in the log and are read right after it. A first start begins at the end
/// of every source (`--lookback` opts in to recent history); positions are exact, so a restart
/// neither replays nor loses a line. SIGTERM/SIGINT stop it after saving the position. See
/// docs/watch.md.
public struct WatchCommand: Sendable {
    public var paths: [String]
    public var options: WatchOptions
    /// How a stop is requested; nil = SIGTERM/SIGINT of this process.
    public var stop: WatchStopSignal?
    /// Where bare names are looked up; nil: every entry of `paths` is a path.
    public var locator: PlaybookLocator?
    /// Who may have written a playbook; an untrusted one stops start-up (exit 65).
    public var trust: PlaybookTrust

    public init(paths: [String], options: WatchOptions, stop: WatchStopSignal? = nil,
                locator: PlaybookLocator? = nil, trust: PlaybookTrust = .process()) {
        self.paths = paths
        self.options = options
        self.stop = stop
        self.locator = locator
        self.trust = trust
    }

    public func run(_ ctx: CtfixContext) async -> ExitStatus {
        guard !paths.isEmpty else {
            ctx.output.errorLine("ctfix watch: name at least one playbook")
            return .usage
        }
        var watched: [WatchedPlaybook] = []
        for path in paths {
            do {
                let playbook = try PlaybookLoader.load(path, locator: locator, trust: trust) { ctx.output.errorLine($0) }
                watched.append(WatchedPlaybook(playbook: playbook, parameters: try playbook.resolveParameters([:])))
            } catch let error as DiagnosticError {
                for diagnostic in error.diagnostics { ctx.output.errorLine(diagnostic.description) }
                return error.isPlaybookNotFound ? .noInput : .invalidInput
            } catch {
                ctx.output.errorLine("ctfix watch: \(path): \(error)")
                return .invalidInput
            }
        }
        var state = WatchState()
        var startNotes: [String] = []
        do {
            state = try WatchState.load(ctx.fileSystem)
        } catch {
            startNotes.append("\(error); starting at the end of the log")
        }
        // --lookback applies only to a first start (nothing saved for any source).
        let firstStart = state.hasNoPosition
        let lookbackStart = firstStart ? options.lookback.map { ctx.clock.now().addingTimeInterval(-$0.seconds) } : nil
        let sources: [WatchSource]
        do {
            sources = try await WatchSource.open(logFiles: options.logFiles, journald: options.journald, ctx: ctx, state: state,
                                                 lookbackStart: lookbackStart)
        } catch {
            ctx.output.errorLine("ctfix watch: \(error)")
            return .noInput
        }
        if firstStart {
            startNotes.append(lookbackStart.map { "first start: acting on lines logged since \(PreciseTime.format($0)) (--lookback)" }
                              ?? "first start: following from the end of the log; older lines are history")
        } else if options.lookback != nil {
            startNotes.append("--lookback ignored: watch has a saved position and continues from it")
        }
        let stopSignal: WatchStopSignal
        do {
            stopSignal = try stop ?? { () throws(FileSystemError) -> WatchStopSignal in
                let signal = try WatchStopSignal()
                signal.installSignalHandlers()
                return signal
            }()
        } catch {
            ctx.output.errorLine("ctfix watch: \(error)")
            return .failed
        }
        let session = WatchSession(ctx: ctx, playbooks: watched, options: options, state: state)
        session.sourceNames = sources.map(\.name)
        for note in startNotes { ctx.output.errorLine("ctfix watch: \(note)") }
        session.record("watch_start", [
            "playbooks": .array(watched.map { .string($0.playbook.path) }), "sources": .array(sources.map { .string($0.name) }),
            "interval": .string(DurationText.format(options.interval)), "mode": .string(options.dryRun ? "dry_run" : "unattended"),
            "once": .bool(options.once), "first_start": .bool(firstStart),
            "lookback": options.lookback.map { .string(DurationText.format($0)) } ?? .null, "argv": .array(options.argv.map { .string($0) }), "notes": .array(startNotes.map { .string($0) }),
        ])
        if !options.json { ctx.output.line("ctfix watch: following \(sources.map(\.name).joined(separator: ", ")) for \(watched.map(\.playbook.name).joined(separator: ", "))"
                        + (options.once ? " (once)" : ", every \(DurationText.format(options.interval)) a full evaluation")) }
        let runs = await loop(session: session, sources: sources, stop: stopSignal, lookbackStart: lookbackStart)
        let status: ExitStatus = runs.contains { $0.outcome == .failed } ? .failed
            // Only --once: a long-running watcher stopped by SIGTERM is a success (0) for systemd.
            : ExitStatus.ok.detailed(changed: runs.contains { $0.outcome == .remediated }, enabled: options.detailedExitCodes && options.once)
        if options.json {
            session.emit("watch_summary", ["runs": .array(runs.map { .object(["playbook": .string($0.playbook), "run_id": .string($0.runID),
                                                                             "outcome": .string($0.outcome.rawValue), "changed": .bool($0.changed)]) }),
                                           "exit_status": .number(Double(status.rawValue))])
        }
        return status
    }

    /// Reads, decides, waits; returns the runs it started (for `--once`'s exit status). Each
    /// batch's lines are kept as evidence; the position is saved with them before any run they
    /// trigger (by the session) and after the batch.
    private func loop(session: WatchSession, sources: [WatchSource], stop: WatchStopSignal,
                      lookbackStart: Date?) async -> [WatchSession.RunSummary] {
        let clock = ContinuousClock()
        var nextTick = clock.now
        var allRuns: [WatchSession.RunSummary] = []
        let wakeDescriptors = sources.compactMap(\.wakeDescriptor)
        let needsTimer = wakeDescriptors.count < sources.count
        var firstPass = true
        while true {
            var triggered: [(source: String, playbook: Int, line: String)] = []
            for source in sources {
                source.drainWakeups()
                var (lines, notes) = source.readNewLines()
                // --lookback on a first start: the ring buffer's records from before the start
                // count too, if logged after the lookback start (checked line by line).
                let lookback = firstPass ? lookbackStart : nil
                let backlog = firstPass ? source.takeBacklog() : []
                if lookback != nil { lines = backlog + lines }
                for note in notes {
                    session.ctx.output.errorLine("ctfix watch: \(note)")
                    session.record("watch_note", ["source": .string(source.name), "note": .string(note)])
                }
                for (playbook, line) in session.ingest(lines: lines, source: source.name, notBefore: lookback)
                where !triggered.contains(where: { $0.playbook == playbook }) {
                    triggered.append((source.name, playbook, line))
                }
                source.savePosition(into: &session.state)
            }
            firstPass = false
            for (source, playbook, line) in triggered {
                allRuns += await session.trigger(playbook: playbook, source: source, line: line)
            }
            if options.once || clock.now >= nextTick {
                allRuns += await session.evaluateAll()
                nextTick = clock.now.advanced(by: options.interval)
            }
            session.saveState()
            if options.once || stop.isRequested { break }
            var timeout = nextTick - clock.now
            if needsTimer { timeout = min(timeout, .seconds(1)) }
            if await WatchWait.wait(for: wakeDescriptors, stop: stop.readEnd, timeout: timeout) == .stopRequested { break }
        }
        for source in sources { if case .journald(let stream) = source { stream.stop() } }
        session.saveState()
        session.record("watch_stop", ["reason": .string(options.once ? "once" : "stop requested")])
        return allRuns
    }
}
