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
    /// `--log` files, else the host's kernel log (the kmsg
    /// device when `/dev/kmsg` is one, else the first of /dev/kmsg as a file, kern.log,
    /// messages, syslog). Fails naming what was tried.
    static func open(logFiles: [String], journald: Bool, ctx: CtfixContext, state: WatchState) throws(WatchSourceError) -> [WatchSource] {
        let fileSystem = ctx.fileSystem
        if journald {
            guard ctx.isLiveHost else { throw WatchSourceError(message: "--journald follows this machine's journal; it cannot be combined with --root") }
            guard ctx.commands.isAvailable("journalctl") else { throw WatchSourceError(message: "--journald: journalctl not found in \(SubprocessCommandRunner.searchPath)") }
            do {
                return [.journald(try JournaldStream(afterCursor: state.journalCursor))] + (try logFiles.map { path throws(WatchSourceError) in try openFile(path, ctx: ctx, state: state) })
            } catch let error as WatchSourceError {
                throw error
            } catch {
                throw WatchSourceError(message: "--journald: \(error)")
            }
        }
        if !logFiles.isEmpty {
            return try logFiles.map { path throws(WatchSourceError) in try openFile(path, ctx: ctx, state: state) }
        }
        var tried: [String] = []
        if let info = try? fileSystem.info(KernelLogSource.kmsgPath) {
            // The live device, or one a root provides (a device node or bind mount of it).
            if info.kind == .characterDevice {
                let bootID = PolicyState.currentBootID(fileSystem)
                let resume = bootID != nil && bootID == state.bootID ? state.kmsgSequence : nil
                do {
                    let fd = try fileSystem.openReadDescriptor(KernelLogSource.kmsgPath)
                    return [.kmsg(bootID: bootID, follower: KmsgFollower(descriptor: fd, path: KernelLogSource.kmsgPath, resumeAfter: resume))]
                } catch {
                    tried.append("\(KernelLogSource.kmsgPath) (\(error.reasonText))")
                }
            } else if info.kind == .file {
                return [try openFile(KernelLogSource.kmsgPath, ctx: ctx, state: state)]
            }
        } else {
            tried.append("\(KernelLogSource.kmsgPath) (no such file)")
        }
        for path in KernelLogSource.defaultFiles {
            if fileSystem.exists(path) { return [try openFile(path, ctx: ctx, state: state)] }
            tried.append("\(path) (no such file)")
        }
        throw WatchSourceError(message: "no kernel log to follow under \(fileSystem.rootDescription): tried \(tried.joined(separator: ", ")); name one with --log FILE")
    }

    static func openFile(_ hostPath: String, ctx: CtfixContext, state: WatchState) throws(WatchSourceError) -> WatchSource {
        let normalized: String
        do { normalized = try HostPath.normalize(hostPath) } catch {
            throw WatchSourceError(message: "--log \(hostPath): \(error.reasonText)")
        }
        if ctx.fileSystem.realPath(of: HostPath.parent(of: normalized)) == nil, ctx.fileSystem.exists(HostPath.parent(of: normalized)) {
            throw WatchSourceError(message: "--log \(hostPath): cannot be followed under \(ctx.fileSystem.rootDescription) (not a directory-backed root)")
        }
        if let info = try? ctx.fileSystem.info(normalized), info.kind != .file {
            throw WatchSourceError(message: "--log \(hostPath): not a regular file")
        }
        guard ctx.fileSystem.exists(HostPath.parent(of: normalized)) else {
            throw WatchSourceError(message: "--log \(hostPath): directory \(HostPath.parent(of: normalized)) does not exist")
        }
        return .file(hostPath: normalized, follower: LogFileFollower(path: normalized, fileSystem: ctx.fileSystem, resume: state.files[normalized]))
    }
}

/// Why watch cannot follow what it was asked to.
public struct WatchSourceError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
