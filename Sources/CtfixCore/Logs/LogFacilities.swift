/// Which syslog facilities a `log` predicate counts. Only the kernel's by default, so a
/// program quoting "table full" never triggers a playbook; `facilities: [kern, user]` is the
/// explicit opt-in for messages user space writes to `/dev/kmsg` (they carry the user
/// facility), which tests and some agents use. It applies to lines that carry a facility:
/// `/dev/kmsg` records and `<N>`-prefixed lines; syslog lines are judged by their tag.
public enum LogFacilities {
    /// Facility numbers by name (RFC 5424 table).
    public static let names: [String: Int] = [
        "kern": 0, "user": 1, "mail": 2, "daemon": 3, "auth": 4, "syslog": 5, "lpr": 6, "news": 7,
        "uucp": 8, "cron": 9, "authpriv": 10, "ftp": 11,
        "local0": 16, "local1": 17, "local2": 18, "local3": 19, "local4": 20, "local5": 21, "local6": 22, "local7": 23,
    ]
    public static let kernelOnly: Set<Int> = [0]

    /// True when a line counts: a kernel line, or one whose facility was opted in.
    static func accepts(isKernel: Bool, facility: Int?, _ accepted: Set<Int>) -> Bool {
        isKernel || facility.map(accepted.contains) ?? false
    }

    static func name(of facility: Int) -> String {
        names.first { $0.value == facility }?.key ?? String(facility)
    }
}
