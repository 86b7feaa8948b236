import Foundation

/// Where "now" comes from. Time windows (`within: 15m`) are evaluated against it, so a
/// reviewer can ask "would this have fired at 03:12?" with `--now`, and a snapshot is judged
/// as of its capture time.
public protocol HostClock: Sendable {
    func now() -> Date
}

/// The machine's wall clock.
public struct SystemClock: HostClock {
    public init() {}
    public func now() -> Date { Date() }
}

/// A clock stopped at one instant (`--now`, snapshots, tests).
public struct FixedClock: HostClock {
    public let instant: Date
    public init(_ instant: Date) { self.instant = instant }
    public func now() -> Date { instant }
}

/// Parses `--now` values: ISO 8601 with or without fractional seconds and zone
/// (`2024-11-08T08:55:10Z`, `2024-11-08T08:55:10+08:00`, `2024-11-08 08:55:10` taken as UTC),
/// or `@EPOCH` seconds. Read by ISO8601Time (no ICU), to the millisecond as
/// `ISO8601DateFormatter` read it; an impossible date (30 February, 24:00, :60) is refused
/// where the old parser silently moved it to another instant.
public enum TimeArgument {
    public static func parse(_ text: String) -> Date? {
        let trimmed = text.trimmed(.whitespaces)
        if trimmed.hasPrefix("@"), let seconds = Double(trimmed.dropFirst()) {
            return Date(timeIntervalSince1970: seconds)
        }
        var candidate = trimmed.replacingOccurrences(of: " ", with: "T")
        let hasZone = candidate.hasSuffix("Z") || candidate.dropFirst(19).contains("+")
            || candidate.dropFirst(19).contains("-")
        if !hasZone { candidate += "Z" }
        return ISO8601Time.roundedFormatterDate(candidate, fraction: true)
    }
}
