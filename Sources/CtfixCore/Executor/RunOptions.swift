import Foundation

/// How `ctfix run` was asked to run.
public struct RunOptions: Sendable {
    /// Show the plan, change nothing, run no side-effecting program.
    public var dryRun = false
    /// Answer yes to every prompt (automation). Unattended policy applies.
    public var assumeYes = false
    /// Run the actions even when detection does not fire.
    public var force = false
    /// With `assumeYes`: also allow destructive actions the playbook marks `allow_unattended`.
    public var allowDestructive = false
    /// `--set NAME=VALUE`.
    public var settings: [String: String] = [:]
    /// How long to wait for another run's host lock.
    public var lockWait: Duration = .zero
    /// `--audit-log PATH`: a path on this machine; nil = the host's /var/log/ctfix/audit.jsonl.
    public var auditLogPath: String?
    /// What started the run: `cli`, `alertmanager:<fingerprint>`, `watch:<source>`.
    public var trigger = "cli"
    /// The command line, for the audit record.
    public var argv: [String] = []
    /// Skip the verification delay (tests, `--no-wait`).
    public var skipVerifyDelay = false
    public var json = false
    /// `--detailed-exitcodes`: a remediated run exits 2 (`changed`) instead of 0, as Terraform
    /// and Puppet do, for automation that wants "changed" apart from "nothing to do".
    public var detailedExitCodes = false
    /// The `for:` streaks of whoever started the run (`watch`): detection continues them
    /// rather than sampling the whole duration again. Nil for a run started by hand.
    public var sustainedHistory: SustainedHistory?
    /// The counter samples of whoever started the run (`watch`), for its detection.
    public var counterSamples: CounterSampleStore?
    /// Set by SIGINT/SIGTERM/SIGHUP (the CLI passes `Interruption.process`): the run stops at
    /// the next primitive boundary and ends `interrupted`.
    public var interruption = Interruption()

    public init() {}

    /// Unattended: nobody is there to answer (`--yes`).
    public var isUnattended: Bool { assumeYes }

    /// The `mode` field of the report and the audit log (snake_case, like every enum value).
    public var modeName: String { dryRun ? "dry_run" : assumeYes ? "unattended" : "interactive" }
}

/// How a run ended; each has its own exit status (README, "Exit statuses").
public enum RunOutcome: String, Sendable, Codable, CaseIterable {
    /// Detection did not fire (and no `--force`): nothing to do.
    case healthy
    /// Dry-run finished: the plan was shown, nothing changed.
    case dryRun = "dry_run"
    /// Every planned action applied and verification measured the problem gone from the state
    /// it reads (a value, a ratio, a file), not merely from the absence of new log lines.
    case remediated
    /// Actions applied but verification still sees the problem.
    case notRemediated = "not_remediated"
    /// Some planned action was not applied (declined, skipped by `when:`, refused, simulated
    /// under a root that is not this machine, not run after a quit): never a success.
    case partial
    /// Every action applied, but verification measures nothing that proves the problem gone
    /// (it only re-reads log lines: no new line is not proof).
    case unverified
    /// SIGINT, SIGTERM or SIGHUP (or Ctrl-C at a prompt) stopped the run after the current
    /// step; `on_failure` was applied and `run_end` says what the host holds.
    case interrupted
    /// An action failed; see the actions for what was changed and rolled back.
    case failed
    /// The operator said no (or quit).
    case declined
    /// Policy refused (no terminal without --yes, destructive unattended, cooldown, reboot
    /// already done this boot, audit log unwritable).
    case refused
    /// Another run holds the host lock.
    case busy

    /// The exit status: 0 for every success (healthy, dry-run done, remediated).
    public var exitStatus: ExitStatus { exitStatus(detailed: false) }

    /// `detailed` (`--detailed-exitcodes`): `remediated` exits 2 (`changed`); nothing else moves.
    public func exitStatus(detailed: Bool) -> ExitStatus {
        switch self {
        case .healthy, .dryRun: .ok
        case .remediated: detailed ? .changed : .ok
        case .notRemediated: .notRemediated
        case .partial: .partial
        case .unverified: .unverified
        case .interrupted: .interrupted
        case .failed: .failed
        case .declined: .declined
        case .refused: .refused
        case .busy: .busy
        }
    }
}
