/// Exit statuses, distinct per outcome so automation can branch on them. Documented in
/// README.md ("Exit statuses"); `check` uses the Nagios plugin convention instead.
public enum ExitStatus: Int32, Sendable, CaseIterable {
    /// Healthy / nothing to do / valid.
    case ok = 0
    /// `check`: a playbook's detection fires (Nagios CRITICAL).
    case critical = 2
    /// `check`: could not evaluate (Nagios UNKNOWN), including an invalid playbook.
    case unknown = 3
    /// `run`: actions applied and verification passed.
    case remediated = 10
    /// `run`: actions applied, but verification still sees the problem.
    case notRemediated = 11
    /// `run`: an action failed (the audit log says what was changed and rolled back).
    case failed = 12
    /// `run`: the operator declined or quit at a prompt.
    case declined = 13
    /// `run`: refused by policy (no terminal and no --yes, destructive unattended, cooldown,
    /// second reboot in one boot, audit log not writable).
    case refused = 14
    /// `run`: some planned action was not applied (declined, skipped, refused, simulated under
    /// `--root`); the rest may have been.
    case partial = 15
    /// `run`: everything applied, but verification only re-read log lines (no measurement).
    case unverified = 16
    /// `run`: stopped by SIGINT/SIGTERM/SIGHUP or Ctrl-C at a prompt, after the current step.
    case interrupted = 17
    /// `serve`: cannot listen on the address (port in use, address not on this host; BSD
    /// `EX_UNAVAILABLE`). Nothing was audited.
    case unavailable = 69
    /// Bad command line (BSD `EX_USAGE`).
    case usage = 64
    /// Invalid input: a playbook, a `--set` value, a log file that is not a log (`EX_DATAERR`).
    case invalidInput = 65
    /// An input file does not exist or cannot be read (`EX_NOINPUT`).
    case noInput = 66
    /// `run`: another run holds the host lock (BSD `EX_TEMPFAIL`: try again later).
    case busy = 75
}
