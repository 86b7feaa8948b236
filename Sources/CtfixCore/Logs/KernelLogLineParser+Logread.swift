import Foundation

/// OpenWrt's `logread` and Markdown-pasted lines.
extension KernelLogLineParser {
    /// `Fri Dec 16 10:09:21 2022 kern.warn kernel: [36572.424531] msg` (OpenWrt and busybox
    /// `logread`): weekday, month, day, clock, year, in the host's local time like every
    /// classic format, then `<facility>.<level>` and the tag. The kernel-line rule is
    /// `syslogTail`'s: `kern.<level> kernel:` is the kernel's, `user.notice kernel:` (what
    /// `logger -t kernel` gives) and `daemon.err kernel:` are not.
    mutating func parseLogreadLine(_ bytes: UnsafeBufferPointer<UInt8>) -> KernelLogLineHeader? {
        var cursor = ByteCursor(bytes)
        // the weekday name: three letters, ignored (the date says it all)
        guard cursor.token().count == 3, cursor.skipSpaces() > 0,
              var civil = Self.readMonthDayTime(&cursor, year: 0), cursor.skipSpaces() > 0,
              let year = cursor.fixedDigits(4) else { return nil }
        civil.year = year
        guard let time = localInstant(civil) else { return nil }
        return syslogTail(bytes, at: cursor.position, format: .logread, time: time, facility: nil)
    }

    static let markdownFence = [UInt8](ascii: "```")

    /// A pasted line without the Markdown code fence glued to its start (```` ```Dec 16 … ````)
    /// or end (```` … packet``` ````); a fence line of its own (```` ```text ````) becomes a
    /// line that matches nothing. Only `--log FILE` reads pasted text this way. A
    /// `> ` quote marker is deliberately *not* removed: a quoted kernel line is someone quoting
    /// it, and stays out of the count (the kernel-line rule).
    static func strippingMarkdownFences(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var line = trimmingCarriageReturn(bytes)
        while let last = line.last, last == 0x20 || last == 0x09 { line = UnsafeBufferPointer(rebasing: line.dropLast()) }
        if ByteCursor(line).hasPrefix(markdownFence) { line = UnsafeBufferPointer(rebasing: line.dropFirst(3)) }
        if line.count >= 3, ByteCursor(line, at: line.count - 3).hasPrefix(markdownFence) {
            line = UnsafeBufferPointer(rebasing: line.dropLast(3))
        }
        return line
    }
}

/// The repeat lines syslog daemons write instead of a message logged again and again:
/// sysklogd and busybox `last message repeated N times`, rsyslog's
/// `message repeated N times: [ original ]`.
enum RepeatNotice {
    /// The word every repeat line contains, for prefiltering raw bytes.
    static let keyword = [UInt8](ascii: "repeated")
    /// A repeat line cannot stand for more occurrences than this: a syslog daemon flushes its
    /// repeat count at least every few minutes, so a larger number is a forged or corrupt line,
    /// and clamping it keeps one line from deciding a threshold by itself.
    static let maximumCount = 1_000_000
    private static let last = [UInt8](ascii: "last message repeated ")
    private static let message = [UInt8](ascii: "message repeated ")
    private static let times = [UInt8](ascii: " times")

    /// N of `last message repeated N times` or `message repeated N times: [ … ]` at `position`
    /// (a kernel-tagged line's message).
    static func count(_ bytes: UnsafeBufferPointer<UInt8>, at position: Int) -> Int? {
        var cursor = ByteCursor(bytes, at: position)
        if cursor.skip(last) {
            return finish(&cursor, bracketed: false)
        }
        guard cursor.skip(message) else { return nil }
        return finish(&cursor, bracketed: true)
    }

    /// N of sysklogd's untagged `last message repeated N times` at `position`.
    static func untaggedCount(_ bytes: UnsafeBufferPointer<UInt8>, at position: Int) -> Int? {
        var cursor = ByteCursor(bytes, at: position)
        guard cursor.skip(last) else { return nil }
        return finish(&cursor, bracketed: false)
    }

    private static func finish(_ cursor: inout ByteCursor, bracketed: Bool) -> Int? {
        guard let count = cursor.digits(maximum: 12), count > 0, cursor.skip(times) else { return nil }
        if bracketed {
            guard cursor.skip([UInt8](ascii: ": [")) else { return nil }
        } else {
            while cursor.skipSeparator() {}
            guard cursor.isAtEnd else { return nil }
        }
        return min(count, maximumCount)
    }
}
