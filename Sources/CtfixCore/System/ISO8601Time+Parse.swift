import Foundation

extension ISO8601Time {
    /// The parts of `YYYY-MM-DDTHH:MM:SS[.digits](Z|±HH:MM|±HHMM)`.
    struct Fields: Equatable {
        var year, month, day, hour, minute, second: Int
        /// The fractional-second digits as written (ASCII), empty without a fraction.
        var fraction: [UInt8]
        /// Seconds east of UTC.
        var offset: Int
        /// Written with `Z` rather than an offset.
        var zulu: Bool

        /// Whole seconds since 1970 (UTC) of the written second.
        var epochSeconds: Int64 {
            Int64(ISO8601Time.days(year: year, month: month, day: day)) * 86400
                + Int64(hour * 3600 + minute * 60 + second - offset)
        }
    }

    /// Reads one time, strictly: four-digit year 1600-9999, real calendar dates (no 30 February),
    /// hours 00-23, minutes and seconds 00-59, ASCII digits only, upper-case `T` and `Z`, an
    /// offset of at most 17:59, nothing before or after. Every string it accepts was accepted by
    /// the Foundation parser it replaced (with the same instant, ISO8601TimeTests); the old ones
    /// also took things no one means, which are now refused: `2026-02-30` (read as 2 March),
    /// `24:00`, `:60`, Arabic-Indic digits, a leading space, trailing text after `Z`, `GMT`.
    static func fields(_ text: String) -> Fields? {
        var bytes = Array(text.utf8)[...]
        func number(_ count: Int) -> Int? {
            guard bytes.count >= count else { return nil }
            var value = 0
            for byte in bytes.prefix(count) {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            bytes.removeFirst(count)
            return value
        }
        func expect(_ character: Unicode.Scalar) -> Bool {
            guard bytes.first == UInt8(ascii: character) else { return false }
            bytes.removeFirst()
            return true
        }
        guard let year = number(4), (1600...9999).contains(year), expect("-"),
              let month = number(2), (1...12).contains(month), expect("-"),
              let day = number(2), (1...daysInMonth(year: year, month: month)).contains(day), expect("T"),
              let hour = number(2), hour < 24, expect(":"),
              let minute = number(2), minute < 60, expect(":"),
              let second = number(2), second < 60 else { return nil }
        var fraction: [UInt8] = []
        if expect(".") {
            while let byte = bytes.first, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                fraction.append(byte)
                bytes.removeFirst()
            }
            guard !fraction.isEmpty else { return nil }
        }
        var offset = 0
        let zulu = expect("Z")
        if !zulu {
            let sign: Int
            if expect("+") { sign = 1 } else if expect("-") { sign = -1 } else { return nil }
            guard let hours = number(2), hours < 18 else { return nil }
            _ = expect(":")
            guard let minutes = number(2), minutes < 60 else { return nil }
            offset = sign * (hours * 3600 + minutes * 60)
        }
        guard bytes.isEmpty else { return nil }
        return Fields(year: year, month: month, day: day, hour: hour, minute: minute, second: second,
                      fraction: fraction, offset: offset, zulu: zulu)
    }

    /// The instant `Date.ISO8601FormatStyle().parse` gave (what `JSONDecoder`'s `.iso8601` read
    /// and audit records were read with): its calendar's floating-point sum, reproduced so a
    /// date read back compares equal to the one read before. At most nine fractional digits.
    static func formatStyleDate(_ text: String) -> Date? {
        guard let fields = fields(text), fields.fraction.count <= 9 else { return nil }
        var nanosecond = 0
        for digit in fields.fraction { nanosecond = nanosecond * 10 + Int(digit - UInt8(ascii: "0")) }
        for _ in fields.fraction.count..<9 { nanosecond *= 10 }
        let julianDay = days(year: fields.year, month: fields.month, day: fields.day) + 2_440_588
        var secondsInDay = 0.0
        secondsInDay += Double(fields.hour) * 3600.0
        secondsInDay += Double(fields.minute) * 60.0
        secondsInDay += Double(fields.second)
        if !fields.fraction.isEmpty { secondsInDay += Double(nanosecond) / 1_000_000_000.0 }
        let midnight = (Double(julianDay) - 2_451_910.5) * 86400 - 43200
        return Date(timeIntervalSinceReferenceDate: midnight + secondsInDay - Double(fields.offset))
    }

    /// The instant `ISO8601DateFormatter` (ICU) gave: milliseconds since 1970, further digits
    /// dropped, divided by 1000 as CoreFoundation did. At most nine fractional digits: ICU read
    /// ten or more as a different instant (the digits overflowed), so those are refused.
    static func roundedFormatterDate(_ text: String, fraction allowed: Bool) -> Date? {
        guard let fields = fields(text), allowed || fields.fraction.isEmpty, fields.fraction.count <= 9 else { return nil }
        var millisecond = 0
        for index in 0..<3 {
            millisecond = millisecond * 10
                + (index < fields.fraction.count ? Int(fields.fraction[index] - UInt8(ascii: "0")) : 0)
        }
        let milliseconds = fields.epochSeconds * 1000 + Int64(millisecond)
        return Date(timeIntervalSinceReferenceDate: Double(milliseconds) / 1000.0 - 978_307_200)
    }

    /// Whole seconds as the ICU parser read them, plus the fraction as a `Double` of its
    /// digits (`PreciseTime`'s older reading of watch state and counter samples).
    static func wholePlusFractionDate(_ text: String) -> Date? {
        guard let fields = fields(text) else { return nil }
        let whole = Date(timeIntervalSinceReferenceDate: Double(fields.epochSeconds * 1000) / 1000.0 - 978_307_200)
        guard !fields.fraction.isEmpty else { return whole }
        guard fields.zulu, let fraction = Double("0." + String(decoding: fields.fraction, as: UTF8.self)) else { return nil }
        return whole.addingTimeInterval(fraction)
    }

    /// `JSONDecoder` dates as `JSONDecoder.DateDecodingStrategy.iso8601` read them, with this parser.
    public static let decodingStrategy = JSONDecoder.DateDecodingStrategy.custom { decoder in
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let date = formatStyleDate(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "Expected date string to be ISO8601-formatted."))
        }
        return date
    }

    /// `JSONEncoder` dates as `.iso8601` wrote them (`seconds`).
    public static let encodingStrategy = JSONEncoder.DateEncodingStrategy.custom { date, encoder in
        var container = encoder.singleValueContainer()
        try container.encode(seconds(date))
    }
}
