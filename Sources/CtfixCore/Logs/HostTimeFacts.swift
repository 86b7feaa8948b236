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
    /// captured host, else `TZ` from the environment, else this process's zone (`TimeZone.current`),
    /// which is looked up only when a line without a zone is read (`LogZone.machine`).
    static func timeZone(of host: CtfixContext) -> LogZone {
        if !host.isLiveHost, let text = try? host.fileSystem.readText("/etc/timezone"),
           let zone = zone(named: text.trimmed(.whitespacesAndNewlines)) {
            return .fixed(zone)
        }
        if var name = host.environment["TZ"], !name.isEmpty {
            if name.hasPrefix(":") { name.removeFirst() }
            if let zone = zone(named: name) { return .fixed(zone) }
        }
        return .machine
    }

    /// `TimeZone(identifier:)`, except that a name tzdata defines as UTC is the fixed zero
    /// offset: the same offset at every instant, without loading ICU's zone data (1 % of a
    /// dry-run). HostTimeFactsTests checks that Foundation knows every name and never gives
    /// it another offset.
    static func zone(named name: String) -> TimeZone? {
        utcNames.contains(name) ? TimeZone(secondsFromGMT: 0) : TimeZone(identifier: name)
    }

    /// tzdata's zones and links that are UTC (or GMT, the same offset) forever.
    static let utcNames: Set<String> = [
        "UTC", "Etc/UTC", "UCT", "Etc/UCT", "Universal", "Etc/Universal", "Zulu", "Etc/Zulu",
        "Etc/GMT", "GMT0", "Etc/GMT0", "GMT+0", "Etc/GMT+0", "GMT-0", "Etc/GMT-0", "Greenwich", "Etc/Greenwich",
    ]
}

/// Where the local times of a log get their zone: a known zone, or this machine's, resolved
/// only when a line in local time is read — a host whose lines carry their own times (journald,
/// kmsg, RFC 3339) never pays for `TimeZone.current`, which loads ICU's zone data.
public enum LogZone: Sendable {
    case fixed(TimeZone)
    /// `TimeZone.current`, when needed (`MachineZone`).
    case machine

    func resolve() -> TimeZone {
        switch self {
        case .fixed(let zone): zone
        case .machine: MachineZone.current()
        }
    }
}

/// This machine's zone as `TimeZone.current` finds it (swift-foundation's `findCurrentTimeZone`:
/// `TZFILE`, then `TZ`, then the name after `/usr/share/zoneinfo/` in the `/etc/localtime`
/// link), with one shortcut: with neither variable set and a link naming a UTC zone, the fixed
/// zero offset (`HostTimeFacts.zone(named:)`). Anything else is `TimeZone.current` itself.
enum MachineZone {
    static func current() -> TimeZone {
        if getenv("TZFILE") == nil, getenv("TZ") == nil, let link = localtimeLink(),
           let zone = utcZone(linkedBy: link) {
            return zone
        }
        return .current
    }

    /// The UTC zone when the link `/etc/localtime` names one of tzdata's UTC zones, else nil.
    static func utcZone(linkedBy link: String) -> TimeZone? {
        guard let directory = link.literalRange(of: "/usr/share/zoneinfo/") else { return nil }
        let name = String(link[directory.upperBound...])
        return HostTimeFacts.utcNames.contains(name) ? TimeZone(secondsFromGMT: 0) : nil
    }

    static func localtimeLink() -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/etc/localtime", &buffer, Int(PATH_MAX))
        guard count > 0 else { return nil }
        return String(validating: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
