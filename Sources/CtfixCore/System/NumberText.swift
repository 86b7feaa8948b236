import CtfixCShims

/// Numbers as text without Foundation's `String(format:)`, whose first use scans every
/// protocol-conformance record of the binary (about 9 000) for `CVarArg` and formats through
/// a locale. Each function writes the bytes `String(format:)` wrote for its pattern (the "C"
/// locale: ctfix never calls `setlocale`), NumberTextTests compare them on random values.
public enum NumberText {
    static let hexDigits = Array("0123456789abcdef".utf8)

    /// Lower-case hex, two digits a byte (`%02x` joined): digests in audit records and IDs.
    public static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var text: [UInt8] = []
        text.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            text.append(hexDigits[Int(byte >> 4)])
            text.append(hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// A non-negative integer in decimal, zero-padded to `width` (`%06d`, `%04o` with radix 8).
    public static func padded<Value: BinaryInteger>(_ value: Value, width: Int, radix: Int = 10) -> String {
        let digits = String(value, radix: radix)
        guard value >= 0, digits.count < width else { return digits }
        return String(repeating: "0", count: width - digits.count) + digits
    }

    /// `%.Nf`: `decimals` digits after the point, as `String(format:)` wrote it.
    public static func fixed(_ value: Double, decimals: Int) -> String {
        printf("%.\(max(0, min(decimals, 40)))f", value)
    }

    /// `%.Ng`: `digits` significant digits, exponent form for very small or large values.
    public static func significant(_ value: Double, digits: Int) -> String {
        printf("%.\(max(1, min(digits, 40)))g", value)
    }

    /// C's `printf` conversion of one double, the format built above (never from outside text):
    /// correctly rounded (ties to even on the exact binary value), `nan`, `inf`, `-0.0` as
    /// glibc writes them. The call is made in C (`ctfix_format_double`): from Swift, `vsnprintf`
    /// needs `withVaList`, whose `CVarArg` cast scans every protocol-conformance record of the
    /// binary on its first use.
    static func printf(_ format: String, _ value: Double) -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        while true {
            let count = Int(ctfix_format_double(&buffer, buffer.count, format, value))
            guard count >= 0 else { return "" }
            if count < buffer.count {
                return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            }
            buffer = [CChar](repeating: 0, count: count + 1)
        }
    }
}
