import Foundation

/// Calendar arithmetic for log timestamps without `Calendar`: a scan may convert thousands of
/// timestamps, and civil-date maths (Howard Hinnant's algorithms) is exact and allocation-free.
enum CivilTime {
    /// Days from 1970-01-01 to the given proleptic Gregorian date.
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let monthIndex = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * monthIndex + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The proleptic Gregorian date of the day `days` after 1970-01-01.
    static func civil(ofDay days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// The year of the day `days` after 1970-01-01.
    static func year(ofDay days: Int) -> Int { civil(ofDay: days).year }

    static func isLeapYear(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    static func daysInMonth(_ month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// `Jan`…`Dec` as 1…12 from three ASCII bytes (case as syslog writes it).
    static func month(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> Int? {
        switch (a, b, c) {
        case (0x4A, 0x61, 0x6E): 1 // Jan
        case (0x46, 0x65, 0x62): 2 // Feb
        case (0x4D, 0x61, 0x72): 3 // Mar
        case (0x41, 0x70, 0x72): 4 // Apr
        case (0x4D, 0x61, 0x79): 5 // May
        case (0x4A, 0x75, 0x6E): 6 // Jun
        case (0x4A, 0x75, 0x6C): 7 // Jul
        case (0x41, 0x75, 0x67): 8 // Aug
        case (0x53, 0x65, 0x70): 9 // Sep
        case (0x4F, 0x63, 0x74): 10 // Oct
        case (0x4E, 0x6F, 0x76): 11 // Nov
        case (0x44, 0x65, 0x63): 12 // Dec
        default: nil
        }
    }
}

/// A wall-clock time as written in a log line, before a zone is applied.
struct CivilDateTime: Equatable {
    var year: Int
    var month: Int
    var day: Int
    var hour: Int
    var minute: Int
    var second: Int
    var fraction: Double = 0

    var isValid: Bool {
        (1...12).contains(month) && day >= 1 && day <= CivilTime.daysInMonth(month, year: year)
            && (0...23).contains(hour) && (0...59).contains(minute) && (0...60).contains(second)
    }

    /// Seconds since the epoch if this civil time were UTC.
    var secondsAsUTC: Double {
        let days = CivilTime.daysFromCivil(year: year, month: month, day: day)
        return Double(days * 86_400 + hour * 3_600 + minute * 60 + second) + fraction
    }
}

/// Turns local civil times into instants for one time zone, remembering the zone offset per
/// hour so a scan of thousands of lines asks `TimeZone` only a handful of times.
struct LocalTimeConverter: Sendable {
    let zone: LogZone
    /// The zone, once a local time needed it.
    private var resolved: TimeZone?
    private var cachedHour = Int.min
    private var cachedOffset = 0
    /// The second offset of a local hour a fall-back repeats.
    private var cachedRepeatOffset: Int?

    init(timeZone: TimeZone) {
        self.init(zone: .fixed(timeZone))
    }

    init(zone: LogZone) {
        self.zone = zone
        if case .fixed(let timeZone) = zone { resolved = timeZone }
    }

    /// The zone (looked up now if no local time needed it yet, and then not kept).
    var timeZone: TimeZone { resolved ?? zone.resolve() }
    var isResolved: Bool { resolved != nil }

    private mutating func resolvedZone() -> TimeZone {
        if let resolved { return resolved }
        let timeZone = zone.resolve()
        resolved = timeZone
        return timeZone
    }

    /// The instant of a local civil time. A time a DST fall-back repeats (02:30 twice) is the
    /// first one, unless `hint` (the time of the line just before, in a forward read) shows
    /// the log already passed it: then the second.
    mutating func instant(of civil: CivilDateTime, hint: Date? = nil) -> Date {
        let local = civil.secondsAsUTC
        let hour = Int((local / 3600).rounded(.down))
        if hour != cachedHour {
            let timeZone = resolvedZone()
            let guess = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: local))
            let corrected = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: local - Double(guess)))
            let candidates = [guess, corrected,
                              timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: local - Double(corrected) - 7200)),
                              timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: local - Double(corrected) + 7200))]
            let valid = Set(candidates.filter { timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: local - Double($0))) == $0 })
            cachedHour = hour
            cachedOffset = valid.max() ?? corrected
            cachedRepeatOffset = valid.count > 1 ? valid.min() : nil
        }
        let first = Date(timeIntervalSince1970: local - Double(cachedOffset))
        if let repeatOffset = cachedRepeatOffset, let hint {
            let floor = hint.addingTimeInterval(-Self.repeatSlack)
            let second = Date(timeIntervalSince1970: local - Double(repeatOffset))
            if first < floor, second >= floor { return second }
        }
        return first
    }

    /// How far a line may go back in time before a repeated local time is read as the second.
    static let repeatSlack: TimeInterval = 60

    /// The calendar year of `date` in this zone.
    mutating func year(of date: Date) -> Int {
        let timeZone = resolvedZone()
        let local = date.timeIntervalSince1970 + Double(timeZone.secondsFromGMT(for: date))
        return CivilTime.year(ofDay: Int((local / 86_400).rounded(.down)))
    }
}
