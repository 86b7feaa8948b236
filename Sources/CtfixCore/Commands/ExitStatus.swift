/// Exit statuses, distinct per outcome so automation can branch on them. Documented in
/// README.md ("Exit statuses"); `check` uses the Nagios plugin convention instead.
public enum ExitStatus: Int32, Sendable, CaseIterable {
    /// Healthy / nothing to do / valid.
    case ok = 0
    /// `check`: a playbook's detection fires (Nagios CRITICAL).
    case critical = 2
    /// `check`: could not evaluate (Nagios UNKNOWN), including an invalid playbook.
    case unknown = 3
    /// Bad command line (BSD `EX_USAGE`).
    case usage = 64
    /// Invalid input: a playbook, a `--set` value, a log file that is not a log (`EX_DATAERR`).
    case invalidInput = 65
    /// An input file does not exist or cannot be read (`EX_NOINPUT`).
    case noInput = 66
}
