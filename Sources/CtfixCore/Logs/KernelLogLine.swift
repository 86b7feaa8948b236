import Foundation

/// One kernel-log line understood: when it was logged, whether the kernel logged it, and the
/// message itself with every prefix (timestamp, host, `kernel:`, `[uptime]`) removed, so a
/// playbook's pattern sees the same text whatever format the host writes.
public struct KernelLogLine: Sendable, Equatable {
    /// The line formats ctfix recognises, each from real hosts.
    public enum Format: String, Sendable, Codable, CaseIterable {
        /// `Nov  8 08:54:58 host kernel: msg` (classic syslog, no year) and journalctl's
        /// `short-precise` `Nov 08 08:54:58.123456 host kernel: msg`.
        case rfc3164
        /// `2024-11-08T08:54:58.123456+08:00 host kernel: msg` (rsyslog high precision) and
        /// journalctl's `short-iso` `2024-11-08T08:54:58+0800 host kernel: msg`.
        case rfc3339
        /// `<4>1 2024-11-08T08:54:58.123Z host kernel - - - msg`.
        case rfc5424
        /// `journalctl -o json` lines.
        case journalJSON
        /// `/dev/kmsg` records `6,1234,5678901,-;msg` (microseconds since boot).
        case kmsg
        /// Raw `dmesg` `[12345.678901] msg` (seconds since boot).
        case dmesg
        /// `dmesg -T` `[Thu May 11 12:38:28 2023] msg` (local time, as dmesg guessed it).
        case dmesgHumanTime
        /// OpenWrt and busybox `logread`: `Fri Dec 16 10:09:21 2022 kern.warn kernel: msg`
        /// (local time with a year, then `<facility>.<level>`).
        case logread
        /// No timestamp: plain `dmesg`, `kernel: msg`, or a truncated or wrapped paste.
        case messageOnly
        /// A `/dev/kmsg` dictionary line (` SUBSYSTEM=net`): metadata, never a message.
        case kmsgContinuation
    }

    public var format: Format
    /// The instant it was logged; nil when the line has no timestamp (or only time since boot
    /// and the boot time is unknown).
    public var time: Date?
    /// Seconds since boot, for kmsg, dmesg and kern.log's `[uptime]` prefix.
    public var secondsSinceBoot: Double?
    /// The host name, when the format carries one.
    public var host: String?
    /// False for lines another program logged (a syslog tag other than `kernel`, a kmsg or
    /// journald record outside the kernel facility). Only kernel lines count, so a program
    /// that quotes "table full" (ctfix's own syslog messages included) never triggers a playbook.
    public var isKernel: Bool
    /// What the kernel printed.
    public var message: String
    /// The syslog facility, for lines that carry one (`/dev/kmsg` records, `<N>` prefixes).
    public var facility: Int?
    /// N for a syslog daemon's repeat line (`last message repeated N times`, rsyslog's
    /// `message repeated N times: [ … ]`) that may stand for a kernel message: kernel-tagged, or
    /// sysklogd's untagged form. It counts only as N more of the line just before it, and only
    /// when that line was a kernel line that matched (`MatchAccumulator.addRepeat`).
    public var repeatedCount: Int?

    public init(format: Format, time: Date?, secondsSinceBoot: Double? = nil, host: String? = nil,
                isKernel: Bool = true, message: String, facility: Int? = nil, repeatedCount: Int? = nil) {
        self.format = format
        self.time = time
        self.secondsSinceBoot = secondsSinceBoot
        self.host = host
        self.isKernel = isKernel
        self.message = message
        self.facility = facility
        self.repeatedCount = repeatedCount
    }
}

/// What the byte-level parser learned about a line's prefix; the message stays in the buffer
/// until the scanner knows the line is worth a `String`.
struct KernelLogLineHeader {
    var format: KernelLogLine.Format
    var time: Date?
    var secondsSinceBoot: Double?
    var host: Range<Int>?
    var isKernel: Bool
    /// Where the message starts in the line's bytes (ignored when `decodedMessage` is set).
    var messageStart: Int
    /// For formats whose message is encoded (journald JSON), the decoded text.
    var decodedMessage: String?
    /// The syslog facility, when the line carries one.
    var facility: Int? = nil
    /// See `KernelLogLine.repeatedCount`.
    var repeatedCount: Int? = nil

    static func messageOnly(at start: Int) -> KernelLogLineHeader {
        KernelLogLineHeader(format: .messageOnly, time: nil, isKernel: true, messageStart: start)
    }
}
