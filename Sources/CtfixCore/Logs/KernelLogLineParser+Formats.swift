import Foundation

/// The per-format readers of `KernelLogLineParser`. Each returns nil when the line is not in
/// its format, and the dispatcher then tries the next interpretation.
extension KernelLogLineParser {
    /// `Nov  8 08:54:58 host kernel: msg`, `Nov 8 …` (single-space day, as pasted) and
    /// journalctl `short-precise` `Nov 08 08:54:58.123456 host kernel: msg`.
    mutating func parseRFC3164Line(_ bytes: UnsafeBufferPointer<UInt8>, at position: Int, facility: Int?) -> KernelLogLineHeader? {
        var cursor = ByteCursor(bytes, at: position)
        guard let civil = Self.readMonthDayTime(&cursor, year: 0) else { return nil }
        guard let time = inferYear(civil) else { return nil }
        return syslogTail(bytes, at: cursor.position, format: .rfc3164, time: time, facility: facility)
    }

    /// `Nov  8 08:54:58[.123456]`, with the year supplied by the caller.
    static func readMonthDayTime(_ cursor: inout ByteCursor, year: Int) -> CivilDateTime? {
        guard let a = cursor.peek(), let b = cursor.peek(1), let c = cursor.peek(2),
              let month = CivilTime.month(a, b, c) else { return nil }
        cursor.position += 3
        guard cursor.skipSpaces() >= 1, let day = cursor.digits(maximum: 2), cursor.skipSpaces() >= 1 else { return nil }
        guard var civil = readClock(&cursor) else { return nil }
        civil.year = year
        civil.month = month
        civil.day = day
        return civil
    }

    /// `08:54:58[.123456]` into a civil time with only the clock fields set.
    static func readClock(_ cursor: inout ByteCursor) -> CivilDateTime? {
        guard let hour = cursor.fixedDigits(2), cursor.skip(UInt8(ascii: ":")),
              let minute = cursor.fixedDigits(2), cursor.skip(UInt8(ascii: ":")),
              let second = cursor.fixedDigits(2) else { return nil }
        var fraction = 0.0
        if cursor.peek() == UInt8(ascii: "."), let digit = cursor.peek(1), digit >= 0x30, digit <= 0x39 {
            cursor.position += 1
            fraction = cursor.fractionDigits() ?? 0
        }
        return CivilDateTime(year: 1970, month: 1, day: 1, hour: hour, minute: minute, second: second, fraction: fraction)
    }

    /// `2024-11-08T08:54:58.123456+08:00 host kernel: msg` (rsyslog) and journalctl
    /// `short-iso` `2024-11-08T08:54:58+0800 host kernel: msg`.
    mutating func parseRFC3339Line(_ bytes: UnsafeBufferPointer<UInt8>, at position: Int, facility: Int?) -> KernelLogLineHeader? {
        var cursor = ByteCursor(bytes, at: position)
        guard let time = readRFC3339(&cursor) else { return nil }
        return syslogTail(bytes, at: cursor.position, format: .rfc3339, time: time, facility: facility)
    }

    /// An RFC 3339 timestamp; without a zone it is local time.
    mutating func readRFC3339(_ cursor: inout ByteCursor) -> Date? {
        guard let year = cursor.fixedDigits(4), cursor.skip(UInt8(ascii: "-")),
              let month = cursor.fixedDigits(2), cursor.skip(UInt8(ascii: "-")),
              let day = cursor.fixedDigits(2), cursor.skip(UInt8(ascii: "T")) || cursor.skip(UInt8(ascii: "t")),
              var civil = Self.readClock(&cursor) else { return nil }
        civil.year = year
        civil.month = month
        civil.day = day
        guard civil.isValid else { return nil }
        if cursor.skip(UInt8(ascii: "Z")) || cursor.skip(UInt8(ascii: "z")) {
            return Date(timeIntervalSince1970: civil.secondsAsUTC)
        }
        if let sign = cursor.peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            cursor.position += 1
            guard let hours = cursor.fixedDigits(2) else { return nil }
            _ = cursor.skip(UInt8(ascii: ":"))
            let minutes = cursor.fixedDigits(2) ?? 0
            let offset = Double(hours * 3600 + minutes * 60) * (sign == UInt8(ascii: "+") ? 1 : -1)
            return Date(timeIntervalSince1970: civil.secondsAsUTC - offset)
        }
        return localInstant(civil)
    }

    /// `<4>1 2024-…` (RFC 5424), `<4>Nov  8 …` / `<4>2024-…` (syslog with a priority) and
    /// `<4>[  123.456] msg` (`dmesg --raw`).
    mutating func parsePriorityLine(_ bytes: UnsafeBufferPointer<UInt8>) -> KernelLogLineHeader? {
        var cursor = ByteCursor(bytes)
        guard cursor.skip(UInt8(ascii: "<")), let priority = cursor.digits(maximum: 3),
              cursor.skip(UInt8(ascii: ">")) else { return nil }
        let facility = priority >> 3
        if cursor.skip([UInt8](ascii: "1 ")) {
            return parseRFC5424(bytes, at: cursor.position, facility: facility)
        }
        guard let next = cursor.peek() else { return nil }
        switch next {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return parseRFC3339Line(bytes, at: cursor.position, facility: facility)
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return parseRFC3164Line(bytes, at: cursor.position, facility: facility)
        case UInt8(ascii: "["): return parseDmesgLine(bytes, at: cursor.position).map {
            var header = $0
            header.isKernel = facility == 0
            header.facility = facility
            return header
        }
        default: return nil
        }
    }

    /// `TIMESTAMP HOST APP PROCID MSGID SD MSG` after `<pri>1 `.
    mutating func parseRFC5424(_ bytes: UnsafeBufferPointer<UInt8>, at position: Int, facility: Int) -> KernelLogLineHeader? {
        var cursor = ByteCursor(bytes, at: position)
        var time: Date?
        if !cursor.skip(UInt8(ascii: "-")) {
            guard let parsed = readRFC3339(&cursor) else { return nil }
            time = parsed
        }
        guard cursor.skipSeparator() else { return nil }
        let host = cursor.token()
        guard cursor.skipSeparator() else { return nil }
        _ = cursor.token() // APP-NAME: the sender's choice, not evidence
        guard cursor.skipSeparator() else { return nil }
        _ = cursor.token() // PROCID
        guard cursor.skipSeparator() else { return nil }
        _ = cursor.token() // MSGID
        guard cursor.skipSeparator() else { return nil }
        guard Self.skipStructuredData(&cursor) else { return nil }
        _ = cursor.skipSeparator()
        _ = cursor.skip([0xEF, 0xBB, 0xBF]) // BOM before a UTF-8 message
        // The facility decides, never the app name: `logger --rfc5424 -t kernel` writes
        // app name `kernel` with the user facility.
        let isKernel = facility == 0
        var header = KernelLogLineHeader(format: .rfc5424, time: time, host: host.isEmpty || cursor.text(host) == "-" ? nil : host,
                                         isKernel: isKernel, messageStart: cursor.position, facility: facility)
        if isKernel, let uptime = Self.uptimePrefix(bytes, at: cursor.position) {
            header.secondsSinceBoot = uptime.seconds
            header.messageStart = uptime.end
        }
        return header
    }

    /// `-` or one or more `[id key="value"]` elements, with `\"`, `\]` and `\\` escapes.
    static func skipStructuredData(_ cursor: inout ByteCursor) -> Bool {
        if cursor.skip(UInt8(ascii: "-")) { return true }
        guard cursor.peek() == UInt8(ascii: "[") else { return false }
        while cursor.peek() == UInt8(ascii: "[") {
            cursor.position += 1
            var inQuotes = false
            while true {
                guard let byte = cursor.peek() else { return false }
                cursor.position += 1
                if byte == UInt8(ascii: "\\") { cursor.position += 1; continue }
                if byte == UInt8(ascii: "\"") { inQuotes.toggle() }
                if byte == UInt8(ascii: "]"), !inQuotes { break }
            }
        }
        return true
    }

    /// `[12345.678901] msg` (raw dmesg, since boot) or `[Thu May 11 12:38:28 2023] msg`
    /// (`dmesg -T`, local time).
    mutating func parseDmesgLine(_ bytes: UnsafeBufferPointer<UInt8>, at position: Int) -> KernelLogLineHeader? {
        if let uptime = Self.uptimePrefix(bytes, at: position) {
            return KernelLogLineHeader(format: .dmesg, time: sinceBoot(uptime.seconds), secondsSinceBoot: uptime.seconds,
                                       isKernel: true, messageStart: uptime.end)
        }
        var cursor = ByteCursor(bytes, at: position)
        guard cursor.skip(UInt8(ascii: "[")) else { return nil }
        // weekday name, ignored: the date says it all
        guard cursor.token().count == 3, cursor.skipSeparator() else { return nil }
        guard var civil = Self.readMonthDayTime(&cursor, year: 0), cursor.skipSeparator(),
              let year = cursor.fixedDigits(4), cursor.skip(UInt8(ascii: "]")) else { return nil }
        civil.year = year
        guard let time = localInstant(civil) else { return nil }
        _ = cursor.skipSeparator()
        return KernelLogLineHeader(format: .dmesgHumanTime, time: time, isKernel: true, messageStart: cursor.position)
    }

    /// `6,1234,5678901,-;msg`: priority (facility × 8 + level), sequence, microseconds since
    /// boot, flags and optional fields, then the message. Userspace writes to `/dev/kmsg`
    /// (systemd does) carry a non-kernel facility: the kernel's `devkmsg_write` gives them
    /// `LOG_USER` unless the writer's `<N>` prefix names a facility other than 0, so facility
    /// 0 cannot be forged through /dev/kmsg.
    func parseKmsgRecord(_ bytes: UnsafeBufferPointer<UInt8>) -> KernelLogLineHeader? {
        var cursor = ByteCursor(bytes)
        guard let priority = cursor.digits(maximum: 4), cursor.skip(UInt8(ascii: ",")),
              cursor.digits() != nil, cursor.skip(UInt8(ascii: ",")),
              let microseconds = cursor.digits(), cursor.skip(UInt8(ascii: ",")) else { return nil }
        guard let base = bytes.baseAddress,
              let semicolon = ByteSearch.firstIndex(of: UInt8(ascii: ";"), in: base, from: cursor.position,
                                                     to: min(bytes.count, cursor.position + 64)) else { return nil }
        let seconds = Double(microseconds) / 1_000_000
        return KernelLogLineHeader(format: .kmsg, time: sinceBoot(seconds), secondsSinceBoot: seconds,
                                   isKernel: priority >> 3 == 0, messageStart: semicolon + 1, facility: priority >> 3)
    }
}
