import Foundation

/// The two facts about a host's clock that log timestamps need: when it booted (kmsg and
/// dmesg count from boot) and its time zone (classic syslog writes local time with no zone).
/// Both are read through the host's file system, so a snapshot is judged by its own.
enum HostTimeFacts {
    /// The boot time from `/proc/stat`'s `btime`, else `now − /proc/uptime`; nil when neither
    /// can be read.
    static func bootTime(of fileSystem: any FileSystem, now: Date) -> Date? {
        if let stat = try? fileSystem.readText("/proc/stat") {
            for line in stat.split(separator: "\n") where line.hasPrefix("btime ") {
                if let seconds = Double(line.dropFirst(6).trimmed(.whitespaces)), seconds > 0 {
                    return Date(timeIntervalSince1970: seconds)
                }
            }
        }
        if let uptime = try? fileSystem.readText("/proc/uptime"),
           let first = uptime.split(separator: " ").first, let seconds = Double(first), seconds >= 0 {
            return now.addingTimeInterval(-seconds)
        }
        return nil
    }

    /// The zone local timestamps are in: a snapshot's own `/etc/timezone` when judging a
    /// captured host, else `TZ` from the environment, else this process's zone.
    static func timeZone(of host: CtfixContext) -> TimeZone {
        if !host.isLiveHost, let text = try? host.fileSystem.readText("/etc/timezone"),
           let zone = TimeZone(identifier: text.trimmed(.whitespacesAndNewlines)) {
            return zone
        }
        if var name = host.environment["TZ"], !name.isEmpty {
            if name.hasPrefix(":") { name.removeFirst() }
            if let zone = TimeZone(identifier: name) { return zone }
        }
        return .current
    }
}
