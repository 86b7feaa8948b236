/// Byte-for-byte search and replace of ASCII text, on the UTF-8 view.
///
/// Why not Foundation's `contains(_:)`, `range(of:)` and `replacingOccurrences(of:with:)`: on
/// Linux each call bridges the string to `NSString` and runs `CFStringFind`, a Unicode search
/// (canonically equivalent text matches; a match followed by a combining mark does not:
/// `"a/\u{301}".contains("/")` is false). That costs a bridge per call on the dry-run path, and
/// it is not what a path, a sysctl key or a number needs: the kernel and ctfix's parsers read
/// bytes. For an ASCII needle in ASCII text both answers are the same (no ASCII scalar combines
/// or has another canonical form); each call site on text that may not be ASCII says why its
/// result did not change, or what changed and why (LiteralTextTests compare with Foundation).
extension StringProtocol {
    /// The first place `needle` (ASCII) occurs, byte for byte; nil for an empty needle (as
    /// Foundation's `range(of:)`).
    public func literalRange(of needle: StaticString) -> Range<Index>? {
        let view = utf8
        return needle.withUTF8Buffer { pattern -> Range<Index>? in
            guard let first = pattern.first else { return nil }
            var from = view.startIndex
            while let found = view[from...].firstIndex(of: first) {
                var index = view.index(after: found), matched = 1
                while matched < pattern.count, index < view.endIndex, view[index] == pattern[matched] {
                    view.formIndex(after: &index)
                    matched += 1
                }
                if matched == pattern.count { return found..<index }
                from = view.index(after: found)
            }
            return nil
        }
    }

    /// Whether `needle` (ASCII) occurs, byte for byte.
    public func containsLiteral(_ needle: StaticString) -> Bool {
        literalRange(of: needle) != nil
    }

    /// Whether the ASCII character `byte` occurs.
    public func containsASCII(_ byte: Unicode.Scalar) -> Bool {
        precondition(byte.isASCII, "containsASCII takes an ASCII character")
        return utf8.contains(UInt8(byte.value))
    }

    /// The text with every ASCII `byte` replaced by the ASCII `replacement`, or removed when it
    /// is nil. Other bytes are copied unchanged, so the result is valid UTF-8 whenever the text is.
    public func replacingASCII(_ byte: Unicode.Scalar, with replacement: Unicode.Scalar?) -> String {
        precondition(byte.isASCII && replacement?.isASCII != false, "replacingASCII takes ASCII characters")
        let old = UInt8(byte.value)
        guard utf8.contains(old) else { return String(self) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count)
        if let replacement {
            let new = UInt8(replacement.value)
            for unit in utf8 { bytes.append(unit == old ? new : unit) }
        } else {
            for unit in utf8 where unit != old { bytes.append(unit) }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
