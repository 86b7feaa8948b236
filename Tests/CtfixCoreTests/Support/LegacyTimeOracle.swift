import Foundation
@testable import CtfixCore

/// The Foundation formatters and parsers ctfix used before ISO8601Time, kept verbatim as the
/// oracle of the differential tests (ISO8601TimeTests): the new code must write the same bytes
/// and read the same instants.
final class LegacyTimeOracle {
    let plain = ISO8601DateFormatter()
    let fractional: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter
    }()
    let auditStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// `Date.formatted(.iso8601)`, JSONEncoder's `.iso8601`.
    func seconds(_ date: Date) -> String { date.formatted(.iso8601) }
    /// AuditRecord.timeString before.
    func milliseconds(_ date: Date) -> String { auditStyle.format(date) }
    /// `ISO8601DateFormatter().string(from:)`.
    func rounded(_ date: Date) -> String { plain.string(from: date) }
    /// KernelLogTailCapture.rfc3339 before.
    func roundedFraction(_ date: Date) -> String { fractional.string(from: date) }

    /// PreciseTime.format before.
    func precise(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        var whole = seconds.rounded(.down)
        var micro = Int(((seconds - whole) * 1_000_000).rounded())
        if micro >= 1_000_000 {
            whole += 1
            micro -= 1_000_000
        }
        let base = plain.string(from: Date(timeIntervalSince1970: whole))
        return String(base.dropLast()) + "." + String(format: "%06d", micro) + "Z"
    }

    /// PreciseTime.parse before.
    func preciseParse(_ text: String) -> Date? {
        guard let dot = text.firstIndex(of: "."), text.hasSuffix("Z") else { return plain.date(from: text) }
        let digits = text[text.index(after: dot)..<text.index(before: text.endIndex)]
        guard !digits.isEmpty, digits.allSatisfy(\.isNumber), let fraction = Double("0." + digits),
              let whole = plain.date(from: String(text[..<dot]) + "Z") else { return nil }
        return whole.addingTimeInterval(fraction)
    }

    /// JSONDecoder's `.iso8601`.
    func jsonParse(_ text: String) -> Date? { try? Date.ISO8601FormatStyle().parse(text) }

    /// AuditRecord.decode's time before.
    func auditParse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return (try? Date(text, strategy: auditStyle)) ?? formatter.date(from: text) ?? plain.date(from: text)
    }

    /// TimeArgument.parse before.
    func timeArgument(_ text: String) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("@"), let seconds = Double(trimmed.dropFirst()) {
            return Date(timeIntervalSince1970: seconds)
        }
        var candidate = trimmed.replacingOccurrences(of: " ", with: "T")
        let hasZone = candidate.hasSuffix("Z") || candidate.dropFirst(19).contains("+")
            || candidate.dropFirst(19).contains("-")
        if !hasZone { candidate += "Z" }
        for options: ISO8601DateFormatter.Options in [
            [.withInternetDateTime, .withFractionalSeconds], [.withInternetDateTime],
        ] {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = options
            if let date = formatter.date(from: candidate) { return date }
        }
        return nil
    }
}
