import Foundation

/// How `ctfix watch` was asked to run.
public struct WatchOptions: Sendable {
    /// Runs are dry-runs: plans are shown and audited, nothing changes.
    public var dryRun = false
    /// Destructive actions the playbook marks `allow_unattended` may run.
    public var allowDestructive = false
    /// Host paths of log files to follow (`--log`); empty = the host's default kernel log.
    public var logFiles: [String] = []
    /// Follow this machine's journal (`journalctl -k -f`) as well as any `--log` files.
    public var journald = false
    /// How often every playbook's whole detection (value predicates) is evaluated.
    public var interval: Duration = .seconds(30)
    /// Process what is new, evaluate once, exit (tests, cron).
    public var once = false
    /// `--lookback DURATION`: on a first start (no saved position), also act on lines logged
    /// within this long before the start. Without it a first start begins at the end.
    public var lookback: Duration?
    /// `--audit-log PATH` (a path on this machine), as for `run`.
    public var auditLogPath: String?
    /// The command line, for the audit records.
    public var argv: [String] = []
    /// `--json`: every watch event (the audit record: `watch_start`, `watch_run`,
    /// `watch_decision`, `watch_stop`…) is one JSON line on standard output instead of text,
    /// then a `watch_summary` line with the exit status.
    public var json = false
    /// `--detailed-exitcodes` (with `--once`): exit 2 when a run remediated and none failed.
    public var detailedExitCodes = false

    public init() {}

    /// The options of one run started by the watcher: unattended, no prompts.
    func runOptions(source: String) -> RunOptions {
        var options = RunOptions()
        options.dryRun = dryRun
        options.assumeYes = true
        options.allowDestructive = allowDestructive
        options.auditLogPath = auditLogPath
        options.trigger = "watch:\(source)"
        options.argv = argv
        // Under --json the run prints no text (its evidence and plan are in the audit log).
        options.json = json
        return options
    }

    /// The audit log watch records go to (the same one the runs use).
    func auditLog(for fileSystem: any FileSystem) -> AuditLog {
        if let path = auditLogPath, let local = try? RootedFileSystem(root: "/") {
            let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
            return AuditLog(fileSystem: local, path: absolute)
        }
        return AuditLog(fileSystem: fileSystem)
    }
}
