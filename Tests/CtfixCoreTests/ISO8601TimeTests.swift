import Foundation
import Testing
@testable import CtfixCore

/// ISO8601Time against the Foundation formatters it replaced (LegacyTimeOracle), on 20 000
/// generated instants between 1970 and 2200 and on generated strings, valid and mangled.
@Suite struct ISO8601TimeTests {
    /// Random instants: leap days, year ends, fractions at the rounding edges of milliseconds and
    /// microseconds, instants just before a whole second (a negative fraction), zero fractions.
    static let instants: [Date] = {
        var random = LogByteSearchTests.SplitMix(state: 0x1508_8601)
        let span: UInt64 = 7_258_118_400 // 1970 → 2200
        let fractions: [Double] = [0, 0.0005, 0.0004999, 0.0009995, 0.4995, 0.5, 0.9994999, 0.9995, 0.999_999,
                                   0.999_999_5, 0.999_999_4, 0.000_000_5, 0.123, 0.1235, -0.000_000_1, -0.0005, -0.5]
        var wholes: [Double] = [0, 951_782_400, 951_868_799, 1_078_012_800, 4_107_456_000, 7_258_118_399, 1_798_761_599]
        for year in stride(from: 1972, through: 2196, by: 4) { // 28 February / 29 February / 1 March
            let leapDay = ISO8601Time.days(year: year, month: 2, day: 29)
            wholes += [Double(leapDay * 86400 - 1), Double(leapDay * 86400), Double(leapDay * 86400 + 86399)]
        }
        var dates = wholes.flatMap { whole in fractions.map { Date(timeIntervalSince1970: whole + $0) } }
        while dates.count < 20_000 {
            let whole = Double(random.next() % span)
            switch random.next() % 3 {
            case 0: dates.append(Date(timeIntervalSince1970: whole + fractions[Int(random.next() % UInt64(fractions.count))]))
            case 1: dates.append(Date(timeIntervalSince1970: whole + Double(random.next() % 1_000_000_000) / 1e9))
            default: dates.append(Date(timeIntervalSinceReferenceDate: Double(Int64(whole) - 978_307_200) + Double(random.next() % 1_000_000) / 1e6))
            }
        }
        return dates
    }()

    @Test func everyWriterIsByteIdenticalToTheFormatterItReplaced() {
        let oracle = LegacyTimeOracle()
        var failures = 0
        for date in Self.instants {
            let pairs = [(ISO8601Time.seconds(date), oracle.seconds(date)), (ISO8601Time.milliseconds(date), oracle.milliseconds(date)),
                         (ISO8601Time.rounded(date), oracle.rounded(date)), (ISO8601Time.rounded(date, fraction: true), oracle.roundedFraction(date)),
                         (PreciseTime.format(date), oracle.precise(date))]
            for (new, old) in pairs where new != old {
                failures += 1
                if failures < 20 { Issue.record("\(date.timeIntervalSinceReferenceDate): \(new) ≠ \(old)") }
            }
        }
        #expect(failures == 0)
    }

    @Test func writtenTextReadsBackAsTheOldParsersReadIt() {
        let oracle = LegacyTimeOracle()
        for date in Self.instants.prefix(4000) {
            for text in [ISO8601Time.seconds(date), ISO8601Time.milliseconds(date), PreciseTime.format(date)] {
                #expect(ISO8601Time.formatStyleDate(text) == oracle.jsonParse(text), "\(text)")
                #expect(ISO8601Time.formatStyleDate(text) != nil, "\(text)")
                #expect(PreciseTime.parse(text) == oracle.preciseParse(text), "\(text)")
                #expect(AuditRecord.time(from: text) == oracle.auditParse(text), "\(text)")
                #expect(TimeArgument.parse(text) == oracle.timeArgument(text), "\(text)")
            }
            // The micro-second text names the instant to the microsecond.
            let back = PreciseTime.parse(PreciseTime.format(date))!.timeIntervalSince1970
            #expect(abs(back - date.timeIntervalSince1970) <= 0.000_000_5 + 1e-6)
        }
    }

    /// Valid strings in every form the readers take (fractions of 1-12 digits, offsets with and
    /// without a colon), then mutations of them.
    static let strings: [String] = {
        var random = LogByteSearchTests.SplitMix(state: 0x5354_5249)
        func pick<T>(_ items: [T]) -> T { items[Int(random.next() % UInt64(items.count))] }
        var valid: [String] = []
        for date in instants.prefix(3000) {
            let base = String(ISO8601Time.seconds(date).dropLast())
            let digits = String((0..<(1 + random.next() % 12)).map { _ in pick(Array("0123456789")) })
            let fraction = random.next() % 2 == 0 ? "" : "." + digits
            let zone = pick(["Z", "Z", "+02:00", "-07:30", "+0530", "-00:00", "+17:59", "-1200"])
            valid.append(base + fraction + zone)
        }
        let junk: [String] = ["٣", " ", "t", "z", "x", ":", "-", "+", ".", "0", "9", "5", "T", "Z", "\u{0}", "é", "1"]
        var mutated: [String] = []
        for text in valid {
            var characters = Array(text)
            let index = Int(random.next() % UInt64(characters.count))
            switch random.next() % 4 {
            case 0: characters[index] = Character(pick(junk))
            case 1: characters.remove(at: index)
            case 2: characters.insert(Character(pick(junk)), at: index)
            default:
                // Field values out of range: month, day, hour, minute, second.
                let fields: [(Int, [String])] = [(5, ["00", "13", "19"]), (8, ["00", "30", "31", "32"]), (11, ["24", "25", "99"]),
                                                 (14, ["60", "99"]), (17, ["60", "61"])]
                let (at, values) = pick(fields)
                characters.replaceSubrange(at..<at + 2, with: Array(pick(values)))
                if random.next() % 2 == 0 { characters.replaceSubrange(5..<7, with: Array(pick(["02", "04", "06", "09", "11"]))) }
            }
            mutated.append(String(characters))
        }
        return valid + mutated + [" " + valid[0], valid[0] + "x", valid[0] + " ", "2026-02-29T00:00:00Z", "2024-02-29T00:00:00Z",
                                  "2026-11-28T24:00:00Z", "2026-11-28T17:22:60Z", "2026-11-28T17:22:39", "2026-11-28t17:22:39z",
                                  "٢٠٢٦-11-28T17:22:39Z", "2026-11-28T17:22:39GMT", "2026-11-28T17:22:39.Z", "02026-11-28T17:22:39Z"]
    }()

    @Test func everyStringAReaderAcceptsTheOldReaderAcceptedWithTheSameInstant() {
        let oracle = LegacyTimeOracle()
        var accepted = 0, refusedNow = 0
        for text in Self.strings {
            let pairs: [(Date?, Date?)] = [(ISO8601Time.formatStyleDate(text), oracle.jsonParse(text)), (PreciseTime.parse(text), oracle.preciseParse(text)),
                                           (AuditRecord.time(from: text), oracle.auditParse(text)), (TimeArgument.parse(text), oracle.timeArgument(text))]
            for (index, (new, old)) in pairs.enumerated() {
                if let new {
                    accepted += 1
                    #expect(old == new, "reader \(index): \(text) → \(new.timeIntervalSinceReferenceDate), before \(old?.timeIntervalSinceReferenceDate ?? .nan)")
                } else if old != nil {
                    refusedNow += 1
                }
            }
        }
        // Both directions exercised: most valid strings are read, and the mutations include
        // strings the old readers took and the new one refuses (tested one by one below).
        #expect(accepted > 8000)
        #expect(refusedNow > 0)
    }

    @Test func theCanonicalFormsAreRead() {
        let expected = Date(timeIntervalSince1970: 1_795_886_559)
        #expect(ISO8601Time.formatStyleDate("2026-11-28T17:22:39Z") == expected)
        #expect(TimeArgument.parse("2026-11-28 17:22:39") == expected)
        #expect(TimeArgument.parse("2026-11-28T19:22:39+02:00") == expected)
        #expect(TimeArgument.parse("2026-11-28T19:22:39+0200") == expected)
        #expect(TimeArgument.parse("2026-11-28T17:22:39.5Z") == expected.addingTimeInterval(0.5))
        #expect(PreciseTime.parse("2026-11-28T17:22:39.250000Z") == expected.addingTimeInterval(0.25))
        #expect(AuditRecord.time(from: "2026-11-28T17:22:39.123Z") != nil)
        #expect(ISO8601Time.formatStyleDate("2024-02-29T23:59:59Z") != nil)
    }

    /// What the Foundation parsers took and ctfix now refuses: each a string no one means.
    @Test(arguments: ["2026-02-30T17:22:39Z", "2025-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-11-28T24:00:00Z",
                      "2026-11-28T17:22:60Z", "٢٠٢٦-11-28T17:22:39Z", "2026-11-٢8T17:22:39Z", "2026-11-28T17:22:39+02:0",
                      "2026-11-28T17:22:39Zx", "2026-11-28T17:22:39GMT", "02026-11-28T17:22:39Z", "2026-1-28T17:22:39Z",
                      "2026-11-28T17:22:39z", "2026-11-28T17:22:39+18:00", "2026-11-28T17:22:39+02"])
    func nonsenseTheOldParsersTookIsRefused(_ text: String) {
        let oracle = LegacyTimeOracle()
        #expect([oracle.jsonParse(text), oracle.preciseParse(text), oracle.auditParse(text), oracle.timeArgument(text)].contains { $0 != nil })
        #expect(ISO8601Time.formatStyleDate(text) == nil)
        #expect(PreciseTime.parse(text) == nil)
        #expect(AuditRecord.time(from: text) == nil)
        #expect(TimeArgument.parse(text) == nil)
    }

    /// Ten fractional digits: Date.ISO8601FormatStyle refused them and ICU read another instant
    /// (a second early here); now refused, except by the watch state's reader, which always read
    /// them as a decimal fraction.
    @Test func tenFractionalDigitsAreRefusedWhereICUMisreadThem() {
        let text = "2026-11-28T17:22:39.9776723580Z"
        let oracle = LegacyTimeOracle()
        #expect(oracle.timeArgument(text).map { $0.timeIntervalSince1970 < 1_795_886_559.5 } == true)
        #expect(ISO8601Time.formatStyleDate(text) == nil)
        #expect(TimeArgument.parse(text) == nil)
        #expect(AuditRecord.time(from: text) == nil)
        #expect(PreciseTime.parse(text) == oracle.preciseParse(text))
    }

    /// `--now` trims blanks around the time, as before.
    @Test func aTimeArgumentIsTrimmed() {
        #expect(TimeArgument.parse(" 2026-11-28T17:22:39Z ") == LegacyTimeOracle().timeArgument(" 2026-11-28T17:22:39Z "))
        #expect(TimeArgument.parse(" 2026-11-28T17:22:39Z ") != nil)
    }

    @Test(arguments: ["2026-11-28t17:22:39Z", "2026-11-28t17:22:39", "2026-13-01T00:00:00Z",
                      "2026-00-01T00:00:00Z", "2026-11-00T00:00:00Z", "2026-11-28T17:22:39.Z", "", "Z", "2026-11-28",
                      "2026-11-28T17:22Z", "2026-11-28T17:22:39.12a4Z", "20261128T172239Z"])
    func whatTheOldParsersRefusedIsRefused(_ text: String) {
        let oracle = LegacyTimeOracle()
        #expect([oracle.jsonParse(text), oracle.preciseParse(text), oracle.auditParse(text), oracle.timeArgument(text)].allSatisfy { $0 == nil })
        #expect(ISO8601Time.formatStyleDate(text) == nil)
        #expect(PreciseTime.parse(text) == nil)
        #expect(AuditRecord.time(from: text) == nil)
        #expect(TimeArgument.parse(text) == nil)
    }
}
