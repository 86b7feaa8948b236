import Foundation

/// Recognises one kernel-log line in any format a Linux host writes (see
/// `KernelLogLine.Format`) and says when it was logged and what the kernel printed.
///
/// Usable on its own, one line at a time (`ctfix watch` feeds it lines as they arrive), and by
/// the scanner on raw bytes. It works on bytes with a dispatch on the first byte, so a scan of
/// a large log does not pay for `String`s or date formatters on lines it does not need.
///
/// Times the line does not fully state are inferred the way an engineer would: classic syslog
/// has no year (the year that puts the line not after `now` is chosen, so `Dec 31` read on
/// `Jan 1` is last year); times since boot are added to `bootTime`; local times without a zone
/// are in `timeZone`.
public struct KernelLogLineParser: Sendable {
    /// The moment the log is read as of; the year of year-less lines is inferred from it.
    public var now: Date {
        didSet { currentYear = nil }
    }
    /// The host's time zone, for timestamps written in local time.
    public var timeZone: TimeZone { converter.timeZone }
    /// Where `timeZone` comes from; this machine's zone is looked up at the first local time.
    public var zone: LogZone { converter.zone }
    var zoneLookedUp: Bool { converter.isResolved }
    /// When the host booted, to turn kmsg and dmesg times since boot into wall-clock times.
    public var bootTime: Date?
    /// True for pasted text (`check --log FILE`): a Markdown code fence glued to a line's start
    /// or end is not part of the line (`strippingMarkdownFences`).
    public var stripsMarkdownFences = false
    /// The time of the line just before, in a forward read: which of the two instants a DST
    /// fall-back gives a local time is the one that does not go back (`LocalTimeConverter`).
    var ambiguityHint: Date?

    private var converter: LocalTimeConverter
    /// The year of `now` in the zone, computed at the first year-less line.
    private var currentYear: Int?

    /// How far after `now` a year-less timestamp may be before it is taken as last year's
    /// (clocks of a host and the reviewer differ a little; a year-old line is not ambiguous).
    static let yearInferenceSlack: TimeInterval = 86_400

    public init(now: Date, timeZone: TimeZone = .current, bootTime: Date? = nil) {
        self.init(now: now, zone: .fixed(timeZone), bootTime: bootTime)
    }

    public init(now: Date, zone: LogZone, bootTime: Date? = nil) {
        self.now = now
        self.bootTime = bootTime
        self.converter = LocalTimeConverter(zone: zone)
    }

    /// Parses one line (without its newline).
    public mutating func parse(_ line: String) -> KernelLogLine {
        var text = line
        return text.withUTF8 { parse(bytes: $0) }
    }

    /// Parses one line given as UTF-8 bytes (without its newline).
    public mutating func parse(bytes: UnsafeBufferPointer<UInt8>) -> KernelLogLine {
        let line = stripsMarkdownFences ? Self.strippingMarkdownFences(bytes) : Self.trimmingCarriageReturn(bytes)
        let header = parseHeader(line)
        return KernelLogLine(format: header.format, time: header.time, secondsSinceBoot: header.secondsSinceBoot,
                             host: header.host.map { ByteCursor(line).text($0) }, isKernel: header.isKernel,
                             message: Self.message(of: header, in: line), facility: header.facility,
                             repeatedCount: header.repeatedCount)
    }

    /// The message text of a parsed line.
    static func message(of header: KernelLogLineHeader, in bytes: UnsafeBufferPointer<UInt8>) -> String {
        if let decoded = header.decodedMessage { return decoded }
        let start = min(header.messageStart, bytes.count)
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start...]), as: UTF8.self)
    }

    static func trimmingCarriageReturn(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        if let last = bytes.last, last == 0x0D { return UnsafeBufferPointer(rebasing: bytes.dropLast()) }
        return bytes
    }

    /// The byte-level parse: format, time and where the message starts.
    mutating func parseHeader(_ raw: UnsafeBufferPointer<UInt8>) -> KernelLogLineHeader {
        let bytes = Self.trimmingCarriageReturn(raw)
        guard let first = bytes.first else { return .messageOnly(at: 0) }
        let parsed: KernelLogLineHeader?
        switch first {
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            parsed = parseRFC3339Line(bytes, at: 0, facility: nil) ?? parseKmsgRecord(bytes)
        case UInt8(ascii: "<"):
            parsed = parsePriorityLine(bytes)
        case UInt8(ascii: "["):
            parsed = parseDmesgLine(bytes, at: 0)
        case UInt8(ascii: "A")...UInt8(ascii: "Z"):
            parsed = parseRFC3164Line(bytes, at: 0, facility: nil) ?? parseLogreadLine(bytes)
        case UInt8(ascii: "{"):
            parsed = JournalJSONEntry(line: bytes).map { entry in
                KernelLogLineHeader(format: .journalJSON, time: entry.time, secondsSinceBoot: entry.secondsSinceBoot,
                                    isKernel: entry.isKernel, messageStart: 0, decodedMessage: entry.message,
                                    facility: entry.facility)
            }
        case UInt8(ascii: " "):
            parsed = Self.isKmsgContinuation(bytes)
                ? KernelLogLineHeader(format: .kmsgContinuation, time: nil, isKernel: false, messageStart: bytes.count)
                : nil
        default:
            parsed = nil
        }
        return parsed ?? Self.messageOnlyHeader(bytes)
    }

    // MARK: Shared tails

    static let kernelTag = [UInt8](ascii: "kernel:")

    /// What follows a syslog timestamp: `host kernel: [uptime] msg`.
    ///
    /// Which program wrote the line: where the line carries a priority (`<N>` before the
    /// timestamp), its facility decides, and only facility 0 (`kern`) is the kernel's —
    /// `logger -t kernel` writes `<13>… kernel:`, the user facility. Without a priority the
    /// `kernel:` tag decides, and only in the header position: the first token (no host),
    /// the second (after a host name), or the third after busybox's `kern.<level>`; a
    /// `<facility>.<level>` token naming another facility rules the line out. Any other tag
    /// ends the header: what follows is the message, whatever it quotes.
    func syslogTail(_ bytes: UnsafeBufferPointer<UInt8>, at position: Int, format: KernelLogLine.Format,
                    time: Date?, facility: Int?) -> KernelLogLineHeader? {
        var cursor = ByteCursor(bytes, at: position)
        guard cursor.isAtEnd || cursor.skipSpaces() > 0 else { return nil }
        var host: Range<Int>?
        var isKernel = false
        var messageStart = cursor.position
        var textFacility: Int?
        for index in 0..<3 {
            let token = cursor.token()
            if token.isEmpty { break }
            if Self.isKernelTag(token, in: bytes) {
                // third position only after `kern.<level>`; never after `user.notice`
                isKernel = textFacility == nil ? index < 2 : textFacility == 0
                _ = cursor.skipSeparator()
                messageStart = cursor.position
                break
            }
            cursor.skipSpaces()
            messageStart = cursor.position
            // A tag (`sshd[42]:`, `ctfix:`) that is not the kernel's ends the search.
            if bytes[token.upperBound - 1] == UInt8(ascii: ":") { break }
            if let named = Self.facilityLevelToken(token, in: bytes) {
                textFacility = named
            } else if index == 0 {
                host = token
            }
        }
        if let facility { isKernel = facility == 0 }
        var header = KernelLogLineHeader(format: format, time: time, host: host, isKernel: isKernel,
                                         messageStart: messageStart, facility: facility ?? textFacility)
        if isKernel {
            header.repeatedCount = RepeatNotice.count(bytes, at: messageStart)
        } else if let host, facility ?? 0 == 0, textFacility ?? 0 == 0 {
            // sysklogd's own `host last message repeated N times`: no tag, right after the host
            var after = ByteCursor(bytes, at: host.upperBound)
            after.skipSpaces()
            header.repeatedCount = RepeatNotice.untaggedCount(bytes, at: after.position)
        }
        if isKernel, let uptime = Self.uptimePrefix(bytes, at: messageStart) {
            header.secondsSinceBoot = uptime.seconds
            header.messageStart = uptime.end
        }
        return header
    }

    /// A line with no timestamp: plain dmesg (`dmesg -t`), `kernel: msg`, or the tail of a
    /// truncated syslog line (`obs kernel: [38775494.392631] msg`).
    ///
    /// The `kernel:` tag counts only in the header position: the first token, the second
    /// after a host name, or right after a `kern.<level>` token within the first seven (OpenWrt
    /// logread). A line with `kernel:` anywhere else is free text quoting a kernel
    /// line (an issue comment pasted into a log, a Markdown `> … kernel: …` quote) and is not
    /// a kernel line. A line with no `kernel:` at all stays one: that is what `dmesg` prints.
    static func messageOnlyHeader(_ bytes: UnsafeBufferPointer<UInt8>) -> KernelLogLineHeader {
        var start = 0
        var cursor = ByteCursor(bytes)
        let first = cursor.token()
        if !first.isEmpty, isKernelTag(first, in: bytes) {
            start = first.upperBound
        } else if !first.isEmpty, isHostName(first, in: bytes), cursor.skipSpaces() > 0 {
            let second = cursor.token()
            if !second.isEmpty, isKernelTag(second, in: bytes) { start = second.upperBound }
        }
        if start == 0 {
            // OpenWrt logread: `Fri Dec 16 10:09:21 2022 kern.warn kernel: msg` — the facility
            // it printed must be `kern`, right before the tag, within the header.
            var scan = ByteCursor(bytes)
            var previous: Range<Int>?
            for _ in 0..<7 {
                scan.skipSpaces()
                let token = scan.token()
                if token.isEmpty { break }
                if isKernelTag(token, in: bytes) {
                    if let previous, facilityLevelToken(previous, in: bytes) == 0 { start = token.upperBound }
                    break
                }
                previous = token
            }
        }
        if start > 0 {
            var separator = ByteCursor(bytes, at: start)
            _ = separator.skipSeparator()
            start = separator.position
        }
        var header = KernelLogLineHeader.messageOnly(at: start)
        if start == 0, quotesKernelTag(bytes) { header.isKernel = false }
        if let uptime = uptimePrefix(bytes, at: start) {
            header.secondsSinceBoot = uptime.seconds
            header.messageStart = uptime.end
        }
        return header
    }

    static func isKernelTag(_ token: Range<Int>, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        token.count == kernelTag.count && ByteCursor(bytes, at: token.lowerBound).hasPrefix(kernelTag)
    }

    /// `kern.warn`, `user.notice`…: the facility busybox syslogd (`-S` off) and logread print
    /// before the tag; nil when the token is not `<facility>.<level>`.
    static func facilityLevelToken(_ token: Range<Int>, in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        // `authpriv.warning` is the longest; most tokens (host names) have no dot at all
        guard token.count >= 6, token.count <= 16, bytes[token].contains(UInt8(ascii: ".")),
              bytes[token.lowerBound] >= UInt8(ascii: "a"), bytes[token.lowerBound] <= UInt8(ascii: "z") else { return nil }
        let text = ByteCursor(bytes).text(token)
        guard let dot = text.firstIndex(of: "."), let facility = LogFacilities.names[String(text[..<dot])],
              LogFacilities.levelNames.contains(String(text[text.index(after: dot)...])) else { return nil }
        return facility
    }

    /// A letter or digit, then letters, digits, `.`, `-`, `_`: what a host name in a syslog header looks like (not
    /// `>`, `*`, `"` or a word ending in `:`).
    static func isHostName(_ token: Range<Int>, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        func isAlphanumeric(_ byte: UInt8) -> Bool {
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
        }
        guard !token.isEmpty, isAlphanumeric(bytes[token.lowerBound]) else { return false }
        return bytes[token].allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
    }

    /// True when `kernel:` appears as a word anywhere in the line.
    static func quotesKernelTag(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        var from = 0
        while let found = ByteSearch.find(kernelTag, in: base, from: from, to: bytes.count) {
            let before = found == 0 ? UInt8(0x20) : bytes[found - 1]
            let isWordByte = (before >= 0x30 && before <= 0x39) || (before >= 0x41 && before <= 0x5A)
                || (before >= 0x61 && before <= 0x7A) || before == UInt8(ascii: "_")
            if !isWordByte { return true }
            from = found + 1
        }
        return false
    }

    /// `[38775494.392631] ` (optionally space-padded inside the brackets) at `position`.
    static func uptimePrefix(_ bytes: UnsafeBufferPointer<UInt8>, at position: Int) -> (seconds: Double, end: Int)? {
        var cursor = ByteCursor(bytes, at: position)
        guard cursor.skip(UInt8(ascii: "[")) else { return nil }
        cursor.skipSpaces()
        guard let whole = cursor.digits(maximum: 12), cursor.skip(UInt8(ascii: ".")),
              let fraction = cursor.fractionDigits(), cursor.skip(UInt8(ascii: "]")) else { return nil }
        _ = cursor.skipSeparator()
        return (Double(whole) + fraction, cursor.position)
    }

    /// ` SUBSYSTEM=net` / ` DEVICE=+pci:0000:00:1f.6`: kmsg metadata lines.
    static func isKmsgContinuation(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 1
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "=") { return index > 1 }
            guard (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || byte == UInt8(ascii: "_")
                    || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) else { return false }
            index += 1
        }
        return false
    }

    /// The instant of a year-less local time: the latest of next year, this year and last
    /// year that is not (more than a day) after `now` — so `Dec 31` read on `Jan 1` is last
    /// year's, and `Jan 1 00:01` read at `Dec 31 23:59` (a host clock a little ahead) is next
    /// year's. 29 February goes back to the last leap year.
    mutating func inferYear(_ civil: CivilDateTime) -> Date? {
        var candidate = civil
        let year = currentYear ?? converter.year(of: now)
        currentYear = year
        candidate.year = year + 1
        for _ in 0..<3 {
            var valid = candidate
            for _ in 0..<8 where !valid.isValid { valid.year -= 1 }
            guard valid.isValid else { return nil }
            let instant = converter.instant(of: valid, hint: ambiguityHint)
            if instant.timeIntervalSince(now) <= Self.yearInferenceSlack { return instant }
            candidate.year -= 1
        }
        return nil
    }

    mutating func localInstant(_ civil: CivilDateTime) -> Date? {
        civil.isValid ? converter.instant(of: civil, hint: ambiguityHint) : nil
    }

    func sinceBoot(_ seconds: Double) -> Date? {
        bootTime.map { $0.addingTimeInterval(seconds) }
    }
}
