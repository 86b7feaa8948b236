import ArgumentParser
import CtfixCore
import Foundation

struct Watch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Follow the kernel log and thresholds; run playbooks unattended when they fire.",
        discussion: """
        A new kernel-log line matching a playbook's log pattern triggers its detection at once; \
        every --interval all playbooks' detection is evaluated. Runs are unattended (--yes policy), \
        one at a time, audited. SIGTERM/SIGINT stop it after saving the position \
        (/var/lib/ctfix/watch-state.json under the root). A first start begins at the end of the \
        log (older lines are history) unless --lookback says how far back to act. Exit status: 0 stopped (or --once done), \
        12 a run failed (--once; with --detailed-exitcodes 2 when a run remediated and none failed), 64 usage, 65 invalid or untrusted playbook, 66 playbook or log not found. \
        See docs/watch.md.
        """
    )

    @Argument(help: "Playbooks: files, or names found by 'ctfix list'.", completion: .playbooks)
    var playbooks: [String]

    @OptionGroup var host: HostOptions

    @Option(name: .customLong("log"), help: ArgumentHelp("Follow this log file (a host path, under --root); repeatable. Default: the host's kernel log.", valueName: "FILE"), completion: .file())
    var logFiles: [String] = []

    @Flag(name: .long, help: "Follow this machine's journal (journalctl -k -f -o json) instead of /dev/kmsg.")
    var journald = false

    @Option(name: .long, help: ArgumentHelp("Evaluate every playbook's whole detection this often (30s, 5m).", valueName: "DURATION"))
    var interval: String = "30s"

    @Option(name: .long, help: ArgumentHelp("On a first start (no saved position), also act on lines logged this long before the start (10m, 1h; at most 31d). Default: start at the end; older lines are history.", valueName: "DURATION"))
    var lookback: String?

    @Flag(name: .long, help: "Process what is new, evaluate once, and exit (cron, tests).")
    var once = false

    @Flag(name: .long, help: "Runs are dry-runs: plans are shown and audited, nothing changes.")
    var dryRun = false

    @Flag(name: .long, help: "Allow destructive actions the playbook marks allow_unattended.")
    var allowDestructive = false

    @Flag(name: .long, help: "With --once: exit 2 when a run remediated (changed the host) and none failed (ignored without --once).")
    var detailedExitcodes = false

    @Option(name: .long, help: ArgumentHelp("Write the audit log here instead of the host's /var/log/ctfix/audit.jsonl.", valueName: "PATH"), completion: .file())
    var auditLog: String?

    func run() async throws {
        var ctx = try host.context()
        // Watching is live: unless --now says otherwise, windows end at the wall clock even
        // under a root that carries a snapshot's capture time.
        if host.now == nil { ctx.clock = SystemClock() }
        guard let duration = DurationText.parse(interval), duration > .zero else {
            throw ValidationError("--interval: cannot read '\(interval)' as a duration longer than zero (such as 30s, 5m)")
        }
        var lookbackDuration: Duration?
        if let lookback {
            guard let value = DurationText.parse(lookback), value > .zero, value <= LogPredicate.maximumWindow else {
                throw ValidationError("--lookback: cannot read '\(lookback)' as a duration longer than zero and at most 31d (such as 10m, 2h)")
            }
            lookbackDuration = value
        }
        var options = WatchOptions()
        options.lookback = lookbackDuration
        options.dryRun = dryRun
        options.allowDestructive = allowDestructive
        options.logFiles = logFiles
        options.journald = journald
        options.interval = duration
        options.once = once
        options.auditLogPath = auditLog
        options.argv = CommandLine.arguments
        options.json = host.json
        options.detailedExitCodes = detailedExitcodes
        throw await WatchCommand(paths: playbooks, options: options, locator: PlaybookArgument.locator).run(ctx).exitCode
    }
}
