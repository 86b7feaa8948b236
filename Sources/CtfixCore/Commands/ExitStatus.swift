/// Exit statuses, distinct per outcome so automation can branch on them. Documented in
/// README.md ("Exit statuses") and docs/exit-statuses.md; `check` uses the Nagios plugin
/// convention instead. 0 is every success (healthy, dry-run done, remediated, rolled back):
/// `set -e` scripts and wrappers that read non-zero as failure keep working. Everything that
/// needs a human has its own non-zero status. `--detailed-exitcodes` (Terraform's and Puppet's
/// convention) adds `changed` (2) for a success that changed the host.
///
/// A struct rather than an enum because two conventions share a number: `check`'s Nagios
/// CRITICAL and `--detailed-exitcodes`' "changed" are both 2, on different commands.
public struct ExitStatus: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// Success: healthy / nothing to do / dry-run done / remediated / rolled back / valid.
    public static let ok = ExitStatus(rawValue: 0)
    /// `--detailed-exitcodes` only: success, and the host was changed (remediated, restored).
    public static let changed = ExitStatus(rawValue: 2)
    /// `check`: a playbook's detection fires (Nagios CRITICAL).
    public static let critical = ExitStatus(rawValue: 2)
    /// `check`: could not evaluate (Nagios UNKNOWN), including an invalid playbook.
    public static let unknown = ExitStatus(rawValue: 3)
    /// `run`: actions applied, but verification still sees the problem.
    public static let notRemediated = ExitStatus(rawValue: 11)
    /// `run`/`rollback`: an action failed (the audit log says what was changed and rolled
    /// back); `audit verify`: the chain is broken.
    public static let failed = ExitStatus(rawValue: 12)
    /// `run`/`rollback`: the operator declined or quit at a prompt.
    public static let declined = ExitStatus(rawValue: 13)
    /// `run`/`rollback`: refused by policy (no terminal and no --yes, destructive unattended,
    /// cooldown, second reboot in one boot, audit log not writable).
    public static let refused = ExitStatus(rawValue: 14)
    /// `run`: some planned action was not applied (declined, skipped, refused, simulated under
    /// `--root`); the rest may have been.
    public static let partial = ExitStatus(rawValue: 15)
    /// `run`: everything applied, but verification only re-read log lines (no measurement).
    public static let unverified = ExitStatus(rawValue: 16)
    /// `run`: stopped by SIGINT/SIGTERM/SIGHUP or Ctrl-C at a prompt, after the current step.
    public static let interrupted = ExitStatus(rawValue: 17)
    /// `serve`: cannot listen on the address (port in use, address not on this host; BSD
    /// `EX_UNAVAILABLE`). Nothing was audited.
    public static let unavailable = ExitStatus(rawValue: 69)
    /// Bad command line (BSD `EX_USAGE`).
    public static let usage = ExitStatus(rawValue: 64)
    /// Invalid input: a playbook, a `--set` value, a log file that is not a log (`EX_DATAERR`).
    public static let invalidInput = ExitStatus(rawValue: 65)
    /// An input file does not exist or cannot be read (`EX_NOINPUT`).
    public static let noInput = ExitStatus(rawValue: 66)
    /// `run`: another run holds the host lock (BSD `EX_TEMPFAIL`: try again later).
    public static let busy = ExitStatus(rawValue: 75)

    /// Every status `run` and the other non-`check` commands can end with (README's table).
    public static let documented: [ExitStatus] = [.ok, .changed, .notRemediated, .failed, .declined, .refused, .partial,
                                                  .unverified, .interrupted, .usage, .invalidInput, .noInput, .unavailable, .busy]

    /// Whether the command succeeded (0, or `changed` under `--detailed-exitcodes`).
    public var isSuccess: Bool { self == .ok }

    /// The snake_case name of the status for JSON (`error.kind`, `exit_status_name`).
    public var name: String {
        switch rawValue {
        case 0: "ok"
        case 2: "changed"
        case 3: "unknown"
        case 11: "not_remediated"
        case 12: "failed"
        case 13: "declined"
        case 14: "refused"
        case 15: "partial"
        case 16: "unverified"
        case 17: "interrupted"
        case 64: "usage"
        case 65: "invalid_input"
        case 66: "no_input"
        case 69: "unavailable"
        case 75: "busy"
        default: "status_\(rawValue)"
        }
    }

    public var description: String { "\(rawValue) (\(name))" }

    /// With `--detailed-exitcodes`: a success that changed the host becomes `changed` (2);
    /// every other status is unchanged, so the failure numbers stay the same in both modes.
    public func detailed(changed: Bool, enabled: Bool) -> ExitStatus {
        enabled && changed && self == .ok ? .changed : self
    }
}
