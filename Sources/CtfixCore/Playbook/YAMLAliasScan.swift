/// Counts YAML alias uses (`*name`) in raw text, before the YAML reader composes the document.
///
/// Why before: Yams resolves an alias to the anchored node and then hashes every mapping key
/// to find duplicates. A key that is an alias of a doubling chain (`a1: &a1 [*a0, *a0]`, …,
/// `{*a39: 1}`) is hashed node by node, 2^40 of them: the reader hangs before any check of
/// ours runs. With at most `ParseLimits.maximumAliases` alias uses, the largest expansion is
/// 2^(limit/2) nodes, hashed in milliseconds.
///
/// The scan over-counts, never under-counts: every `*` preceded (after spaces) by the start of
/// a line or by `-`, `?`, `:`, `[`, `{` or `,` counts, whether or not the reader would take it
/// for an alias (in a quoted string, a comment, a plain scalar continued on a new line). It
/// does not track quotes or comments, so no quoting trick can hide an alias from it. Lines
/// of a block scalar (`|`, `>`), which are text by YAML's indentation rule, are skipped, so a
/// Markdown list in a `description: |` does not count.
enum YAMLAliasScan {
    /// The 1-based line and column of the first alias use beyond `limit`, or nil.
    static func firstAlias(beyond limit: Int, in text: String) -> (line: Int, column: Int)? {
        var count = 0
        var blockScalarParentIndent: Int?
        var lineNumber = 0
        for line in lineBreaksNormalized(text).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            let bytes = Array(line)
            let indent = bytes.prefix { $0 == UInt8(ascii: " ") }.count
            let blank = bytes.allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") }
            if let parent = blockScalarParentIndent {
                if blank || indent > parent { continue }
                blockScalarParentIndent = nil
            }
            var previous: UInt8? = nil // last byte that is not a space or tab; nil: line start
            for (index, byte) in bytes.enumerated() {
                if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") { continue }
                if byte == UInt8(ascii: "*"), previous.map({ Self.triggers.contains($0) || $0 >= 0x80 }) ?? true {
                    count += 1
                    if count > limit { return (lineNumber, index + 1) }
                }
                previous = byte
            }
            if Self.startsBlockScalar(bytes) { blockScalarParentIndent = Self.nodeIndent(bytes) }
        }
        return nil
    }

    /// Every line break YAML knows (CR, CRLF, NEL, LS, PS) as `\n`, keeping byte positions.
    static func lineBreaksNormalized(_ text: String) -> [UInt8] {
        var bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\r"):
                bytes[index] = index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "\n") ? UInt8(ascii: " ") : UInt8(ascii: "\n")
            case 0xC2 where index + 1 < bytes.count && bytes[index + 1] == 0x85:
                bytes[index] = UInt8(ascii: " "); bytes[index + 1] = UInt8(ascii: "\n")
            case 0xE2 where index + 2 < bytes.count && bytes[index + 1] == 0x80 && (bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9):
                bytes[index] = UInt8(ascii: " "); bytes[index + 1] = UInt8(ascii: " "); bytes[index + 2] = UInt8(ascii: "\n")
            default: break
            }
            index += 1
        }
        return bytes
    }

    /// The column of the line's node after its indentation and any `- ` / `? ` indicators: a
    /// block scalar's text must be indented further than this (taking the largest candidate
    /// skips the fewest lines, so a doubt costs an over-count, never a hidden alias).
    static func nodeIndent(_ bytes: [UInt8]) -> Int {
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: " ") { index += 1; continue }
            if (bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "?")),
               index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: " ") { index += 2; continue }
            break
        }
        return index
    }

    private static let triggers: Set<UInt8> = Set("-?:[{,".utf8)

    /// True when the line's value is a block scalar header: `key: |`, `- >-`, `key: |2 # note`.
    static func startsBlockScalar(_ bytes: [UInt8]) -> Bool {
        var end = bytes.count
        if let hash = indexOfComment(bytes) { end = hash }
        while end > 0, [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r")].contains(bytes[end - 1]) { end -= 1 }
        var start = end
        while start > 0, bytes[start - 1] != UInt8(ascii: " ") { start -= 1 }
        guard start < end, bytes[start] == UInt8(ascii: "|") || bytes[start] == UInt8(ascii: ">") else { return false }
        let indicators = bytes[(start + 1)..<end]
        guard indicators.allSatisfy({ $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") || (UInt8(ascii: "1")...UInt8(ascii: "9")).contains($0) }) else { return false }
        // The header follows `key:`, `-`, `?` or starts the line.
        var before = start
        while before > 0, bytes[before - 1] == UInt8(ascii: " ") { before -= 1 }
        return before == 0 || [UInt8(ascii: ":"), UInt8(ascii: "-"), UInt8(ascii: "?")].contains(bytes[before - 1])
    }

    /// A ` #` comment start (a `#` at the line start or after a space).
    private static func indexOfComment(_ bytes: [UInt8]) -> Int? {
        for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "#") {
            if index == 0 || bytes[index - 1] == UInt8(ascii: " ") { return index }
        }
        return nil
    }
}
