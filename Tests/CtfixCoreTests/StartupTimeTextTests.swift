import Foundation
import Testing
@testable import CtfixCore

/// The ICU-free time texts of the start-up path against the Foundation formatters they replaced,
/// on dates spread over two centuries and at fractional-second edges.
@Suite struct StartupTimeTextTests {
    static let dates: [Date] = {
        var random = LogByteSearchTests.SplitMix(state: 0x7469_6d65)
        let edges: [Double] = [0, 0.0004, 0.0005, 0.0009, 0.001, 0.4995, 0.9994, 0.9995, 0.9999]
        var dates = [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 951_782_400), Date(timeIntervalSince1970: 4_102_444_799.999)]
        for _ in 0..<2000 {
            let whole = Double(random.next() % 6_000_000_000)
            dates.append(Date(timeIntervalSince1970: whole + edges[Int(random.next() % UInt64(edges.count))]))
            dates.append(Date(timeIntervalSince1970: whole + Double(random.next() % 1_000_000) / 1_000_000))
        }
        return dates
    }()

    /// The same form as before (ISO 8601, UTC, three fractional digits), readable by the old
    /// parser; the millisecond is truncated (ICU rounded it), so a record never names an instant
    /// after the one it records, and differs from the old text by at most a millisecond.
    @Test func auditRecordTimesKeepTheISO8601FormattersForm() throws {
        let oracle = LegacyTimeOracle()
        let form = try Regex(#"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$"#)
        for date in Self.dates {
            let text = AuditRecord.timeString(date)
            #expect(text.wholeMatch(of: form) != nil, "\(text)")
            guard let parsed = oracle.fractional.date(from: text),
                  let old = oracle.fractional.date(from: oracle.fractional.string(from: date)) else {
                Issue.record("\(text) does not parse"); continue
            }
            let t = date.timeIntervalSince1970, p = parsed.timeIntervalSince1970
            #expect(p <= t + 1e-6 && t - p < 0.001 + 1e-6, "\(t) → \(text)")
            #expect(abs(p - old.timeIntervalSince1970) <= 0.001 + 1e-6, "\(t)")
        }
    }

    @Test func runIDTimesAreTheDateFormattersTextOfTheirSecond() {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        for date in Self.dates {
            // The second the run started in: ICU rounded to the millisecond first, so x.9995 s
            // named the next second; the C library's calendar truncates.
            let second = Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
            #expect(Executor.runIDTime(date) == formatter.string(from: second), "\(date.timeIntervalSince1970)")
        }
    }
}
