import Foundation

/// The kernel messages journald holds, asked of `journalctl` through the context's command
/// runner (so tests script it and nothing here can hang past the timeout).
///
/// On the live host that is the running journal; under a snapshot root it is the root's
/// `/var/log/journal`, read with `journalctl --directory`. `journalctl -k` covers the
/// current (or, with `--directory`, the latest) boot.
struct JournaldKernelLog {
    static let timeout: Duration = .seconds(10)
    /// journald JSON is verbose; this bounds memory even for a whole-journal check.
    static let outputLimit = 16 << 20

    let host: CtfixContext

    struct Output {
        var entries: [JournalJSONEntry]
        var bytes: Int64
        var notes: [String]
    }

    /// `journalctl` plus `--directory` when not on the live host, or why journald cannot be used.
    func baseCommand() -> Result<[String], KernelLogSourceProblem> {
        guard host.commands.isAvailable("journalctl") else {
            return .failure(KernelLogSourceProblem("journalctl not available"))
        }
        if host.isLiveHost { return .success(["journalctl"]) }
        guard let info = try? host.fileSystem.info("/var/log/journal"), info.kind == .directory else {
            return .failure(KernelLogSourceProblem("no /var/log/journal under \(host.fileSystem.rootDescription)"))
        }
        guard let real = host.fileSystem.realPath(of: "/var/log/journal") else {
            return .failure(KernelLogSourceProblem("/var/log/journal is not a directory on this machine"))
        }
        return .success(["journalctl", "--directory", real])
    }

    /// The kernel entries in the window (all of them without one), oldest first.
    func read(window: LogWindow?) async -> Result<Output, KernelLogSourceProblem> {
        let base: [String]
        switch baseCommand() {
        case .success(let command): base = command
        case .failure(let problem): return .failure(problem)
        }
        var argv = base + ["-k", "-o", "json", "--no-pager"]
        if let window {
            // A minute before the window too: a notice inside it may belong to a line just before.
            let since = window.start.timeIntervalSince1970 - LogByteScanner.allowedDisorder
            argv += ["--since", "@\(Int(since.rounded(.down)))",
                     "--until", "@\(Int(window.end.timeIntervalSince1970.rounded(.up)))"]
        } else {
            // Newest first, so that if the output limit cuts, it cuts the oldest entries.
            argv.append("--reverse")
        }
        let result: CommandResult
        switch await run(argv) {
        case .success(let output): result = output
        case .failure(let problem): return .failure(problem)
        }
        var (entries, skipped) = JournalJSONEntry.parseOutput(result.standardOutput)
        if window == nil { entries.reverse() }
        var notes: [String] = []
        if result.outputTruncated { notes.append("journalctl output cut at \(Self.outputLimit >> 20) MiB: oldest entries not read") }
        if skipped > 0 { notes.append("\(skipped) journalctl output lines were not JSON entries") }
        if entries.isEmpty {
            // Nothing in the window: fine if journald has kernel entries at all, else it is
            // not where this host's kernel log is.
            switch await run(base + ["-k", "-n", "1", "-o", "json", "--no-pager"]) {
            case .success(let probe) where !JournalJSONEntry.parseOutput(probe.standardOutput).entries.isEmpty:
                break
            case .success:
                return .failure(KernelLogSourceProblem("no kernel entries"))
            case .failure(let problem):
                return .failure(problem)
            }
        }
        return .success(Output(entries: entries, bytes: Int64(result.standardOutput.utf8.count), notes: notes))
    }

    private func run(_ argv: [String]) async -> Result<CommandResult, KernelLogSourceProblem> {
        do {
            let result = try await host.commands.run(argv, environment: [:], timeout: Self.timeout, outputLimit: Self.outputLimit)
            if result.timedOut {
                return .failure(KernelLogSourceProblem("journalctl timed out after \(Self.timeout.components.seconds)s"))
            }
            guard result.exitStatus == 0 else {
                let reason = result.standardError.split(separator: "\n").first.map(String.init) ?? "no message"
                return .failure(KernelLogSourceProblem("journalctl failed with status \(result.exitStatus): \(reason)"))
            }
            return .success(result)
        } catch {
            return .failure(KernelLogSourceProblem("cannot run journalctl: \(error.message)"))
        }
    }
}

/// Why a log source could not be read, in a few words for "tried X (…)".
struct KernelLogSourceProblem: Error, Equatable {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}
