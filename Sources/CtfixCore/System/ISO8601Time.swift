import Foundation

/// ISO 8601 / RFC 3339 times in UTC (`2026-11-28T17:22:39Z`, `.123Z`, `.123456Z`) without
/// Foundation's formatters. `ISO8601DateFormatter` opens an ICU calendar and time-zone data
/// (about 14 MiB of peak RSS and a tenth of a dry-run's CPU); the civil-calendar arithmetic here
/// (`CivilTime`: Howard Hinnant's days-from-civil) is a few integer divisions. Each writer reproduces, byte
/// for byte, the text of the formatter it replaced (docs/benchmarks.md, ISO8601TimeTests), so
/// files and messages do not change; the parser is stricter than the old ones (see `parse`).
public enum ISO8601Time {
    /// Days since 1970-01-01 of a proleptic Gregorian date (`CivilTime`, shared with the log
    /// timestamps).
    static func days(year: Int, month: Int, day: Int) -> Int {
        CivilTime.daysFromCivil(year: year, month: month, day: day)
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        CivilTime.daysInMonth(month, year: year)
    }

    /// `YYYY-MM-DDTHH:MM:SS`, then `.` and `fraction` zero-padded to `digits` when `digits > 0`,
    /// then `Z`, for whole seconds since 1970 (floored).
    static func text(epochSeconds: Int64, fraction: Int = 0, digits: Int = 0) -> String {
        let (dayNumber, second) = epochSeconds.quotientAndRemainder(dividingBy: 86400)
        let (dayIndex, secondOfDay) = second < 0 ? (dayNumber - 1, second + 86400) : (dayNumber, second)
        let date = CivilTime.civil(ofDay: Int(dayIndex))
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        func append(_ value: Int, width: Int) {
            var count = 1, divisor = 1, rest = value
            while rest >= 10 { rest /= 10; count += 1 }
            for _ in 1..<max(width, count) { divisor *= 10 }
            rest = value
            while divisor > 0 {
                bytes.append(UInt8(ascii: "0") + UInt8(rest / divisor % 10))
                rest %= divisor
                divisor /= 10
            }
        }
        if date.year < 0 { bytes.append(UInt8(ascii: "-")) }
        append(abs(date.year), width: 4)
        bytes.append(UInt8(ascii: "-")); append(date.month, width: 2)
        bytes.append(UInt8(ascii: "-")); append(date.day, width: 2)
        bytes.append(UInt8(ascii: "T")); append(Int(secondOfDay / 3600), width: 2)
        bytes.append(UInt8(ascii: ":")); append(Int(secondOfDay / 60 % 60), width: 2)
        bytes.append(UInt8(ascii: ":")); append(Int(secondOfDay % 60), width: 2)
        if digits > 0 {
            bytes.append(UInt8(ascii: "."))
            append(fraction, width: digits)
        }
        bytes.append(UInt8(ascii: "Z"))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A time ctfix could be handed that no calendar names (NaN, ±infinity, beyond year
    /// 200 000) is written as the nearest such year rather than trapping.
    static func clamped(_ reference: TimeInterval) -> TimeInterval {
        reference.isNaN ? 0 : min(max(reference, -6.4e12), 6.4e12)
    }

    // MARK: Writers, one per formatter replaced

    /// `2026-11-28T17:22:39Z`, the second floored: `Date.formatted(.iso8601)`, which is also
    /// what `JSONEncoder`'s `.iso8601` strategy wrote.
    public static func seconds(_ date: Date) -> String {
        let reference = clamped(date.timeIntervalSinceReferenceDate).rounded(.down)
        return text(epochSeconds: Int64(reference) + 978_307_200)
    }

    /// `2026-11-28T17:22:39.123Z`, the millisecond truncated as `Date.ISO8601FormatStyle(
    /// includingFractionalSeconds: true)` did in Swift 6.3 (audit records; a later Foundation
    /// rounds, so the codec also keeps audit text independent of the toolchain).
    public static func milliseconds(_ date: Date) -> String {
        let reference = clamped(date.timeIntervalSinceReferenceDate)
        let whole = reference.rounded(.down)
        let nanosecond = Int((reference - whole) * 1_000_000_000)
        let millisecond = Int((Double(nanosecond) / 1_000_000.0).rounded(.towardZero))
        return text(epochSeconds: Int64(whole) + 978_307_200, fraction: millisecond, digits: 3)
    }

    /// What `ISO8601DateFormatter` wrote (ICU): the instant rounded to the millisecond first
    /// (CoreFoundation adds half a millisecond, ICU floors), so x.9995 s names the next second.
    /// With `fraction` the milliseconds are shown (`.withFractionalSeconds`).
    public static func rounded(_ date: Date, fraction: Bool = false) -> String {
        let milliseconds = ((clamped(date.timeIntervalSinceReferenceDate) + 978_307_200) * 1000 + 0.5).rounded(.down)
        let (second, millisecond) = Int64(milliseconds).quotientAndRemainder(dividingBy: 1000)
        let floored = millisecond < 0 ? (second - 1, millisecond + 1000) : (second, millisecond)
        return text(epochSeconds: floored.0, fraction: Int(floored.1), digits: fraction ? 3 : 0)
    }

    /// `2026-11-28T17:22:39.123456Z`: whole seconds since 1970 and microseconds.
    static func microseconds(epochSeconds: Int64, micro: Int) -> String {
        text(epochSeconds: epochSeconds, fraction: micro, digits: 6)
    }
}
