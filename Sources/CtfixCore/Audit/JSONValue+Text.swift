/// JSON text for `JSONValue` without Foundation: every audit record is written and every audit
/// tail read on each append, and JSONEncoder/JSONSerialization cost more at a process's first
/// use (bridging to NSNumber/NSDictionary, dynamic casts that each scan every protocol
/// conformance of the binary) than the rest of a dry-run's audit work (docs/benchmarks.md).
///
/// The text written is byte for byte what `JSONEncoder` with `.sortedKeys` and
/// `.withoutEscapingSlashes` wrote for the same value (tests compare them on generated
/// values), so old and new audit lines look alike.
extension JSONValue {
    /// Compact JSON, object keys sorted.
    public func serialized() -> String {
        var out = ""
        Self.write(self, to: &out)
        return out
    }

    static func write(_ value: JSONValue, to out: inout String) {
        switch value {
        case .string(let text): writeString(text, to: &out)
        case .number(let number): out += numberText(number)
        case .bool(let flag): out += flag ? "true" : "false"
        case .null: out += "null"
        case .array(let items):
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                write(item, to: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            // By UTF-8 bytes, as JSONEncoder sorts (String's `<` compares canonical forms).
            for (index, key) in members.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).enumerated() {
                if index > 0 { out += "," }
                writeString(key, to: &out)
                out += ":"
                write(members[key]!, to: &out)
            }
            out += "}"
        }
    }

    /// Whole numbers below 10^15 as integers, others as Swift prints a Double (`1e+20`,
    /// `0.1`), without a trailing `.0`, as `JSONValue.encode(to:)` has JSONEncoder write them.
    /// NaN and infinities, which JSON cannot hold, are written as `null`.
    static func numberText(_ number: Double) -> String {
        guard number.isFinite else { return "null" }
        if number == number.rounded(), abs(number) < 1e15 { return String(Int64(number)) }
        var text = number.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        return text
    }

    static func writeString(_ text: String, to out: inout String) {
        out += "\""
        var plainStart = text.utf8.startIndex
        var index = plainStart
        let utf8 = text.utf8
        func flush(upTo end: String.Index) {
            if plainStart < end { out += text[plainStart..<end] }
        }
        while index < utf8.endIndex {
            let byte = utf8[index]
            let escape: String? = switch byte {
            case UInt8(ascii: "\""): "\\\""
            case UInt8(ascii: "\\"): "\\\\"
            case 0x08: "\\b"
            case 0x0C: "\\f"
            case UInt8(ascii: "\n"): "\\n"
            case UInt8(ascii: "\r"): "\\r"
            case UInt8(ascii: "\t"): "\\t"
            case 0..<0x20: "\\u00" + String(byte >> 4, radix: 16) + String(byte & 0xF, radix: 16)
            default: nil
            }
            if let escape {
                flush(upTo: index)
                out += escape
                index = utf8.index(after: index)
                plainStart = index
            } else {
                index = utf8.index(after: index)
            }
        }
        flush(upTo: utf8.endIndex)
        out += "\""
    }

    /// Parses one JSON text (RFC 8259: any value at the top, nothing but white space after
    /// it, strings valid UTF-8 without lone surrogates), nesting at most `maximumDepth` deep.
    /// Nil for anything else. Duplicate keys: the last one counts, as JSONSerialization did.
    public static func parse(_ bytes: some Collection<UInt8>, maximumDepth: Int = 256) -> JSONValue? {
        let array = Array(bytes)
        return array.withUnsafeBufferPointer { buffer in
            var parser = JSONTextParser(bytes: buffer, maximumDepth: maximumDepth)
            guard let value = parser.value(depth: 0) else { return nil }
            parser.skipSpace()
            return parser.index == buffer.count ? value : nil
        }
    }

    /// The value as an `Int` when it is a whole number that fits.
    public var integerValue: Int? {
        guard case .number(let number) = self, number == number.rounded(), abs(number) < 9.0e18 else { return nil }
        return Int(number)
    }
}
