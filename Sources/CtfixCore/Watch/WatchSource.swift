import Foundation

/// One followed kernel log: a file (rotation and truncation followed) or the live kmsg device.
public enum WatchSource {
    case file(hostPath: String, follower: LogFileFollower)
    case kmsg(bootID: String?, follower: KmsgFollower)
    case journald(JournaldStream)

    /// The name in triggers (`watch:/var/log/messages`, `watch:kmsg`).
    public var name: String {
        switch self {
        case .file(let hostPath, _): hostPath
        case .kmsg: "kmsg"
        case .journald: "journald"
        }
    }

    public func readNewLines() -> (lines: [String], notes: [String]) {
        switch self {
        case .file(_, let follower):
            let lines = follower.readNewLines()
            return (lines, follower.notes)
        case .kmsg(_, let follower):
            return (follower.readNewLines(), [])
        case .journald(let stream):
            return stream.readNewLines()
        }
    }

    /// Records that were already in the ring buffer at a first start, once (only `--lookback`
    /// uses them; taking them also frees them).
    func takeBacklog() -> [String] {
        if case .kmsg(_, let follower) = self { return follower.takeBacklog() }
        return []
    }

    /// What wakes the watcher for this source; nil when only a timer can (no inotify).
    var wakeDescriptor: Int32? {
        switch self {
        case .file(_, let follower): follower.changeNotifier?.descriptor
        case .kmsg(_, let follower): follower.descriptor
        case .journald(let stream): stream.descriptor
        }
    }

    func drainWakeups() {
        if case .file(_, let follower) = self { follower.changeNotifier?.drain() }
    }

    /// Writes where this source stands into the state.
    func savePosition(into state: inout WatchState) {
        switch self {
        case .file(let hostPath, let follower):
            if let position = follower.position { state.files[hostPath] = position }
        case .kmsg(let bootID, let follower):
            state.bootID = bootID
            state.kmsgSequence = follower.lastSequence
        case .journald(let stream):
            state.journalCursor = stream.cursor
        }
    }

    /// Opens the sources to follow: journald when asked (`--journald`, live host only), the
    /// `--log` files, else the host's kernel log (the kmsg device when `/dev/kmsg` is one, else
    /// the first of /dev/kmsg as a file, kern.log, messages, syslog). Fails naming what was
    /// tried. A source with no saved position starts at its end, or at `lookbackStart` when
    /// `--lookback` asked for recent history.
    static func open(logFiles: [String], journald: Bool, ctx: CtfixContext, state: WatchState,
                     lookbackStart: Date? = nil) async throws(WatchSourceError) -> [WatchSource] {
        let fileSystem = ctx.fileSystem
        func files(_ paths: [String]) throws(WatchSourceError) -> [WatchSource] {
            try paths.map { path throws(WatchSourceError) in try openFile(path, ctx: ctx, state: state, lookbackStart: lookbackStart) }
        }
        if journald {
            guard ctx.isLiveHost else { throw WatchSourceError(message: "--journald follows this machine's journal; it cannot be combined with --root") }
            guard ctx.commands.isAvailable("journalctl") else { throw WatchSourceError(message: "--journald: journalctl not found in \(SubprocessCommandRunner.searchPath)") }
            var cursor = state.journalCursor
            if cursor == nil, lookbackStart == nil { cursor = await lastJournalCursor(ctx) }
            do {
                return [.journald(try JournaldStream(afterCursor: cursor, since: cursor == nil ? lookbackStart : nil))] + (try files(logFiles))
            } catch let error as WatchSourceError {
                throw error
            } catch {
                throw WatchSourceError(message: "--journald: \(error)")
            }
        }
        if !logFiles.isEmpty { return try files(logFiles) }
        var tried: [String] = []
        if let info = try? fileSystem.info(KernelLogSource.kmsgPath) {
            // The live device, or one a root provides (a device node or bind mount of it).
            if info.kind == .characterDevice {
                let bootID = PolicyState.currentBootID(fileSystem)
                let resume = bootID != nil && bootID == state.bootID ? state.kmsgSequence : nil
                do {
                    // Opened through the root's descriptor, never by a path resolved earlier.
                    let fd = try fileSystem.openReadDescriptor(KernelLogSource.kmsgPath)
                    return [.kmsg(bootID: bootID, follower: KmsgFollower(descriptor: fd, path: KernelLogSource.kmsgPath, resumeAfter: resume))]
                } catch {
                    tried.append("\(KernelLogSource.kmsgPath) (\(error.reasonText))")
                }
            } else if info.kind == .file {
                return try files([KernelLogSource.kmsgPath])
            }
        } else {
            tried.append("\(KernelLogSource.kmsgPath) (no such file)")
        }
        for path in KernelLogSource.defaultFiles {
            if fileSystem.exists(path) { return try files([path]) }
            tried.append("\(path) (no such file)")
        }
        throw WatchSourceError(message: "no kernel log to follow under \(fileSystem.rootDescription): tried \(tried.joined(separator: ", ")); name one with --log FILE")
    }

    static func openFile(_ hostPath: String, ctx: CtfixContext, state: WatchState, lookbackStart: Date?) throws(WatchSourceError) -> WatchSource {
        let normalized: String
        do { normalized = try HostPath.normalize(hostPath) } catch {
            throw WatchSourceError(message: "--log \(hostPath): \(error.reasonText)")
        }
        let info: FileInfo?
        do { info = try ctx.fileSystem.info(normalized) } catch {
            throw WatchSourceError(message: "--log \(hostPath): \(error.reasonText)")
        }
        if let info, info.kind != .file { throw WatchSourceError(message: "--log \(hostPath): not a regular file") }
        guard ctx.fileSystem.exists(HostPath.parent(of: normalized)) else {
            throw WatchSourceError(message: "--log \(hostPath): directory \(HostPath.parent(of: normalized)) does not exist")
        }
        let resume = state.files[normalized]
        var start = LogFileFollower.Start.end
        if resume == nil, let lookbackStart { start = .offset(lookbackOffset(normalized, from: lookbackStart, ctx: ctx)) }
        return .file(hostPath: normalized, follower: LogFileFollower(hostPath: normalized, fileSystem: ctx.fileSystem, resume: resume, start: start))
    }

    /// Where lines logged at or after `start` begin in a file (the `log` predicate's tail
    /// search); the caller still checks each line's time.
    static func lookbackOffset(_ hostPath: String, from start: Date, ctx: CtfixContext) -> Int64 {
        guard let reader = try? ctx.fileSystem.openForReading(hostPath), let pattern = try? CompiledPattern("$^") else { return 0 }
        let now = ctx.clock.now()
        let parser = KernelLogLineParser(now: now, zone: HostTimeFacts.timeZone(of: ctx),
                                         bootTime: HostTimeFacts.bootTime(of: ctx.fileSystem, now: now))
        var scanner = LogByteScanner(pattern: pattern, sourceName: hostPath, parser: parser)
        return (try? scanner.locateWindowStart(reader, size: reader.size, windowStart: start).offset) ?? 0
    }

    /// The cursor of the journal's last kernel entry now, so a first start begins exactly after
    /// it (and a restart after a quiet period loses nothing); nil when there is none.
    static func lastJournalCursor(_ ctx: CtfixContext) async -> String? {
        guard let result = try? await ctx.commands.run(["journalctl", "-k", "-n", "1", "-o", "json", "--no-pager"], timeout: .seconds(10)),
              result.exitStatus == 0 else { return nil }
        return result.standardOutput.split(separator: "\n").last.flatMap { JournaldStream.cursor(of: String($0)) }
    }
}

/// Why watch cannot follow what it was asked to.
public struct WatchSourceError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
