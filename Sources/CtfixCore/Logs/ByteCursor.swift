/// A read position in one log line's bytes. Every method checks bounds, so a truncated or
/// garbled line makes a parse step fail (and the line fall back to "message only"), never trap.
struct ByteCursor {
    let bytes: UnsafeBufferPointer<UInt8>
    var position: Int

    init(_ bytes: UnsafeBufferPointer<UInt8>, at position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    var isAtEnd: Bool { position >= bytes.count }

    func peek(_ offset: Int = 0) -> UInt8? {
        let index = position + offset
        return index >= 0 && index < bytes.count ? bytes[index] : nil
    }

    /// Consumes `byte` if it is next.
    mutating func skip(_ byte: UInt8) -> Bool {
        guard peek() == byte else { return false }
        position += 1
        return true
    }

    /// Consumes `literal` if it is next.
    mutating func skip(_ literal: [UInt8]) -> Bool {
        guard hasPrefix(literal) else { return false }
        position += literal.count
        return true
    }

    func hasPrefix(_ literal: [UInt8], at offset: Int = 0) -> Bool {
        let start = position + offset
        guard start >= 0, start + literal.count <= bytes.count else { return false }
        for (index, byte) in literal.enumerated() where bytes[start + index] != byte { return false }
        return true
    }

    /// Consumes spaces (and no-break spaces, U+00A0, which pasted and web-copied lines carry
    /// where a space was); returns how many bytes.
    @discardableResult
    mutating func skipSpaces() -> Int {
        let start = position
        while skipSeparator() {}
        return position - start
    }

    /// Consumes one space or one no-break space (`C2 A0`).
    mutating func skipSeparator() -> Bool {
        if peek() == 0x20 { position += 1; return true }
        if peek() == 0xC2, peek(1) == 0xA0 { position += 2; return true }
        return false
    }

    /// True when a space or a no-break space starts at `offset`.
    func isSeparator(at offset: Int = 0) -> Bool {
        peek(offset) == 0x20 || (peek(offset) == 0xC2 && peek(offset + 1) == 0xA0)
    }

    /// Exactly `count` decimal digits.
    mutating func fixedDigits(_ count: Int) -> Int? {
        guard position + count <= bytes.count else { return nil }
        var value = 0
        for index in 0..<count {
            let byte = bytes[position + index]
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        position += count
        return value
    }

    /// One to `maximum` decimal digits.
    mutating func digits(maximum: Int = 18) -> Int? {
        var value = 0
        var count = 0
        while count < maximum, let byte = peek(), byte >= 0x30, byte <= 0x39 {
            value = value * 10 + Int(byte - 0x30)
            position += 1
            count += 1
        }
        return count > 0 ? value : nil
    }

    /// The digits after a decimal point as a fraction (`.123456` → 0.123456); the point
    /// itself must already be consumed. Up to nine digits count; more are skipped.
    mutating func fractionDigits() -> Double? {
        var value = 0.0
        var scale = 1.0
        var count = 0
        while let byte = peek(), byte >= 0x30, byte <= 0x39 {
            if count < 9 {
                value = value * 10 + Double(byte - 0x30)
                scale *= 10
            }
            position += 1
            count += 1
        }
        return count > 0 ? value / scale : nil
    }

    /// The bytes up to the next space or no-break space (or the end), consumed.
    mutating func token() -> Range<Int> {
        let start = position
        while !isAtEnd, !isSeparator() { position += 1 }
        return start..<position
    }

    func text(_ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }
}

extension Array where Element == UInt8 {
    /// ASCII bytes of a literal, for prefix checks.
    init(ascii text: StaticString) {
        self = Array(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }
}
