/// Which syslog facilities a `log` predicate counts. Only the kernel's by default, so a
/// program quoting "table full" never triggers a playbook; `facilities: [kern, user]` is the
/// explicit opt-in for messages user space writes to `/dev/kmsg` (they carry the user
/// facility), which tests and some agents use. It applies to lines that carry a facility:
/// `/dev/kmsg` records, `<N>`-prefixed lines and journald's `SYSLOG_FACILITY`; syslog lines
/// without a priority are judged by their tag. Which lines are the kernel's, per format, is
/// `KernelLogLineParser`'s rule (docs/playbook-format.md, "Which lines are kernel lines").
public enum LogFacilities {
    /// Facility numbers by name (RFC 5424 table).
    public static let names: [String: Int] = [
        "kern": 0, "user": 1, "mail": 2, "daemon": 3, "auth": 4, "syslog": 5, "lpr": 6, "news": 7,
        "uucp": 8, "cron": 9, "authpriv": 10, "ftp": 11,
        "local0": 16, "local1": 17, "local2": 18, "local3": 19, "local4": 20, "local5": 21, "local6": 22, "local7": 23,
    ]
    public static let kernelOnly: Set<Int> = [0]
    /// Level names as syslog daemons print them after the facility (`kern.warn`).
    static let levelNames: Set<String> = ["emerg", "panic", "alert", "crit", "err", "error", "warn", "warning",
                                          "notice", "info", "debug"]

    /// True when a line counts: a kernel line, or one whose facility was opted in. Facility 0
    /// counts only through `isKernel` (the format's own rule, e.g. journald's trusted
    /// `_TRANSPORT`), never because a line claims it: a journald client can write
    /// `SYSLOG_FACILITY=0` itself.
    static func accepts(isKernel: Bool, facility: Int?, _ accepted: Set<Int>) -> Bool {
        isKernel || facility.map { $0 != 0 && accepted.contains($0) } ?? false
    }

    static func name(of facility: Int) -> String {
        names.first { $0.value == facility }?.key ?? String(facility)
    }
}
