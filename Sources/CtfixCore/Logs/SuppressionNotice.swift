/// The kernel's rate-limiter notices, which stand for occurrences that were not printed:
/// `printk: 49 messages suppressed.` (2.6), `net_ratelimit: 98 callbacks suppressed` and the
/// modern `<function>: N callbacks suppressed`. A table-full flood shows up mostly as these,
/// so counting only printed lines would undercount it by orders of magnitude.
public enum SuppressionNotice {
    /// The word every notice contains, for prefiltering raw bytes.
    static let keyword = [UInt8](ascii: "suppressed")
    private static let messages = [UInt8](ascii: " messages suppressed")
    private static let callbacks = [UInt8](ascii: " callbacks suppressed")

    /// The number of suppressed occurrences a kernel message announces, or nil when the
    /// message is not a rate-limiter notice.
    public static func suppressedCount(in message: String) -> Int? {
        var text = message
        return text.withUTF8 { suppressedCount(in: $0) }
    }

    /// The same, on a message's UTF-8 bytes.
    static func suppressedCount(in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var cursor = ByteCursor(bytes)
        // indented (a pasted or relayed line): spaces, tabs, no-break spaces
        while cursor.skipSeparator() || cursor.skip(UInt8(ascii: "\t")) {}
        // Optional `name: ` prefix (printk, net_ratelimit, a function name).
        let start = cursor.position
        while let byte = cursor.peek(), byte != UInt8(ascii: ":"), byte != 0x20 { cursor.position += 1 }
        if cursor.peek() == UInt8(ascii: ":"), cursor.peek(1) == 0x20, cursor.position > start {
            cursor.position += 2
        } else {
            cursor.position = start
        }
        guard let count = cursor.digits(maximum: 12) else { return nil }
        guard cursor.skip(messages) || cursor.skip(callbacks) else { return nil }
        _ = cursor.skip(UInt8(ascii: "."))
        while cursor.peek() == 0x20 { cursor.position += 1 }
        return cursor.isAtEnd ? count : nil
    }
}
