import Foundation

/// A strict, bounded, iterative RFC 8259 validator for webhook bodies. Foundation's parsers are
/// lenient where an attacker benefits (duplicate keys: one silently wins) and recursive (a deep
/// body costs stack); this one runs first, with an explicit stack, and rejects trailing commas,
/// duplicate object keys, nesting deeper than `maxDepth`, numbers a Double cannot hold (`1e400`),
/// invalid UTF-8, lone surrogates and anything after the value, each with `line L, column C`.
/// Only a body it accepts is decoded.
public enum StrictJSON {
    /// Deeper than any Alertmanager payload needs (it nests 4 levels).
    public static let maxDepth = 16

    /// Throws a `PayloadError` naming the line and column of the first violation.
    public static func validate(_ data: Data, maxDepth: Int = StrictJSON.maxDepth) throws(PayloadError) {
        var parser = Parser(bytes: Array(data), maxDepth: maxDepth)
        try parser.run()
    }

    struct Parser {
        let bytes: [UInt8]
        let maxDepth: Int
        var i = 0
        enum Frame { case object(Set<String>), array }
        var stack: [Frame] = []

        init(bytes: [UInt8], maxDepth: Int) {
            self.bytes = bytes
            self.maxDepth = maxDepth
        }

        func fail(_ what: String, at offset: Int? = nil) -> PayloadError {
            let end = min(offset ?? i, bytes.count)
            var line = 1, column = 1
            for byte in bytes[0..<end] {
                if byte == UInt8(ascii: "\n") { line += 1; column = 1 } else if byte & 0xC0 != 0x80 { column += 1 }
            }
            return PayloadError(message: "line \(line), column \(column): not valid JSON: \(what)")
        }

        mutating func skipSpace() {
            while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
        }

        mutating func run() throws(PayloadError) {
            skipSpace()
            try value()
            while !stack.isEmpty {
                skipSpace()
                guard i < bytes.count else { throw fail("unexpected end of the body") }
                let c = bytes[i]
                switch stack[stack.count - 1] {
                case .array:
                    if c == UInt8(ascii: "]") { i += 1; stack.removeLast(); continue }
                    guard c == UInt8(ascii: ",") else { throw fail("expected ',' or ']'") }
                    i += 1
                    skipSpace()
                    if i < bytes.count, bytes[i] == UInt8(ascii: "]") { throw fail("trailing comma before ']'") }
                    try value()
                case .object:
                    if c == UInt8(ascii: "}") { i += 1; stack.removeLast(); continue }
                    guard c == UInt8(ascii: ",") else { throw fail("expected ',' or '}'") }
                    i += 1
                    skipSpace()
                    if i < bytes.count, bytes[i] == UInt8(ascii: "}") { throw fail("trailing comma before '}'") }
                    try member()
                }
            }
            skipSpace()
            guard i == bytes.count else { throw fail("unexpected text after the JSON value") }
        }

        /// One `"key": value` of the innermost object (which must be on top of the stack).
        mutating func member() throws(PayloadError) {
            let start = i
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail("expected a string key") }
            let key = try string()
            guard case .object(var keys) = stack[stack.count - 1] else { return }
            guard keys.insert(key).inserted else { throw fail("duplicate key \"\(TerminalText.escape(String(key.prefix(64))))\"", at: start) }
            stack[stack.count - 1] = .object(keys)
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail("expected ':' after a key") }
            i += 1
            skipSpace()
            try value()
        }

        /// A value; containers are opened (pushed) and their first member/element read.
        mutating func value() throws(PayloadError) {
            guard i < bytes.count else { throw fail("unexpected end of the body") }
            switch bytes[i] {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                guard stack.count < maxDepth else { throw fail("nested deeper than \(maxDepth) levels") }
                let isObject = bytes[i] == UInt8(ascii: "{")
                i += 1
                skipSpace()
                stack.append(isObject ? .object([]) : .array)
                if i < bytes.count, bytes[i] == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    i += 1
                    stack.removeLast()
                    return
                }
                if i < bytes.count, bytes[i] == UInt8(ascii: ",") { throw fail("unexpected ','") }
                if isObject { try member() } else { try value() }
            case UInt8(ascii: "\""): _ = try string()
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
            default: throw fail("unexpected character")
            }
        }

        mutating func literal(_ word: String) throws(PayloadError) {
            let w = Array(word.utf8)
            guard i + w.count <= bytes.count, Array(bytes[i..<i + w.count]) == w else { throw fail("invalid literal") }
            i += w.count
        }

        mutating func number() throws(PayloadError) {
            let start = i
            func digits(_ p: inout Parser) -> Int {
                let s = p.i
                while p.i < p.bytes.count, (0x30...0x39).contains(p.bytes[p.i]) { p.i += 1 }
                return p.i - s
            }
            if bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard i < bytes.count else { throw fail("invalid number", at: start) }
            if bytes[i] == UInt8(ascii: "0") { i += 1 } else if digits(&self) == 0 { throw fail("invalid number", at: start) }
            if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
                i += 1
                guard digits(&self) > 0 else { throw fail("invalid number", at: start) }
            }
            if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
                i += 1
                if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
                guard digits(&self) > 0 else { throw fail("invalid number", at: start) }
            }
            if i < bytes.count, (0x30...0x39).contains(bytes[i]) { throw fail("leading zero in a number", at: start) }
            // RFC 8259 §6 lets a parser bound the range; Foundation refuses what a Double cannot
            // hold (1e400), so refuse it here, with its place, rather than as a decoder error.
            guard let value = Double(String(decoding: bytes[start..<i], as: UTF8.self)), value.isFinite else {
                throw fail("number out of range", at: start)
            }
        }

        /// A string starting at `"`; returns its decoded text (for duplicate-key checks).
        mutating func string() throws(PayloadError) -> String {
            let start = i
            i += 1
            var scalars = String.UnicodeScalarView()
            while true {
                guard i < bytes.count else { throw fail("unterminated string", at: start) }
                let c = bytes[i]
                if c == UInt8(ascii: "\"") { i += 1; return String(scalars) }
                if c < 0x20 { throw fail("control character in a string (escape it)") }
                if c == UInt8(ascii: "\\") {
                    i += 1
                    guard i < bytes.count else { throw fail("unterminated string", at: start) }
                    let e = bytes[i]
                    i += 1
                    switch e {
                    case UInt8(ascii: "\""): scalars.append("\"")
                    case UInt8(ascii: "\\"): scalars.append("\\")
                    case UInt8(ascii: "/"): scalars.append("/")
                    case UInt8(ascii: "b"): scalars.append("\u{8}")
                    case UInt8(ascii: "f"): scalars.append("\u{C}")
                    case UInt8(ascii: "n"): scalars.append("\n")
                    case UInt8(ascii: "r"): scalars.append("\r")
                    case UInt8(ascii: "t"): scalars.append("\t")
                    case UInt8(ascii: "u"):
                        var unit = try hex4()
                        if (0xD800...0xDBFF).contains(unit) {
                            guard i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else {
                                throw fail("lone surrogate in a \\u escape")
                            }
                            i += 2
                            let low = try hex4()
                            guard (0xDC00...0xDFFF).contains(low) else { throw fail("lone surrogate in a \\u escape") }
                            unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                        } else if (0xDC00...0xDFFF).contains(unit) {
                            throw fail("lone surrogate in a \\u escape")
                        }
                        guard let scalar = Unicode.Scalar(unit) else { throw fail("invalid \\u escape") }
                        scalars.append(scalar)
                    default: throw fail("invalid escape in a string")
                    }
                    continue
                }
                // One UTF-8 sequence, validated.
                let length = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0
                guard length > 0, i + length <= bytes.count,
                      let decoded = String(validating: bytes[i..<i + length], as: UTF8.self), let scalar = decoded.unicodeScalars.first
                else { throw fail("invalid UTF-8") }
                scalars.append(scalar)
                i += length
            }
        }

        mutating func hex4() throws(PayloadError) -> UInt32 {
            guard i + 4 <= bytes.count, let value = UInt32(String(decoding: bytes[i..<i + 4], as: UTF8.self), radix: 16),
                  bytes[i..<i + 4].allSatisfy({ $0 != UInt8(ascii: "+") && $0 != UInt8(ascii: "-") })
            else { throw fail("invalid \\u escape") }
            i += 4
            return value
        }
    }
}
