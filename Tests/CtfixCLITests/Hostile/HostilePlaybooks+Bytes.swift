/// Classes of byte-level attack (bad UTF-8, NUL, CRLF, BOMs, tabs, control characters,
/// truncation, flipped bytes) and `--set` values of every class.
extension HostilePlaybooks {
    static var baseBytes: [UInt8] { Array(HostileBase.text.utf8) }

    static func badBytes(_ random: inout SplitMix64) -> [HostileCase] {
        var cases: [HostileCase] = []
        func add(_ name: String, _ bytes: [UInt8], valid: Bool = false) {
            cases.append(HostileCase(hostileClass: "bad-bytes", name: name, bytes: bytes, mayBeValid: valid))
        }
        let sequences: [(String, [UInt8])] = [("ff", [0xFF]), ("lone-c3", [0xC3]), ("overlong-nul", [0xC0, 0x80]),
                                               ("surrogate", [0xED, 0xA0, 0x80]), ("fe-ff", [0xFE, 0xFF]), ("nul", [0])]
        for (name, sequence) in sequences {
            for _ in 0..<3 {
                var bytes = baseBytes
                let at = random.int(0...bytes.count - 1)
                bytes.insert(contentsOf: sequence, at: at)
                add("\(name)-at-\(at)", bytes)
            }
        }
        add("crlf", Array(HostileBase.text.replacingOccurrences(of: "\n", with: "\r\n").utf8), valid: true)
        add("cr-only", Array(HostileBase.text.replacingOccurrences(of: "\n", with: "\r").utf8), valid: true)
        add("utf8-bom", [0xEF, 0xBB, 0xBF] + baseBytes, valid: true)
        add("utf8-bom-twice", [0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF] + baseBytes)
        add("utf16le-bom", [0xFF, 0xFE] + HostileBase.text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }, valid: true)
        add("utf16be-no-bom", HostileBase.text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] })
        add("tab-indentation", Array(HostileBase.text.replacingOccurrences(of: "  ", with: "\t").utf8))
        add("tab-in-values", Array(HostileBase.text.replacingOccurrences(of: ": ", with: ":\t").utf8), valid: true)
        add("escape-in-summary", replacing(line: index("summary"), with: "\"\\e[31mred\\e[0m \\u0007 \\u0000\""), valid: true)
        add("nel-line-separators", Array(HostileBase.text.replacingOccurrences(of: "\n", with: "\u{85}").utf8), valid: true)
        add("u2028-line-separators", Array(HostileBase.text.replacingOccurrences(of: "\n", with: "\u{2028}").utf8), valid: true)
        add("empty", [])
        add("only-spaces", Array(repeating: 0x20, count: 1000))
        add("only-comment", Array("# nothing\n".utf8))
        add("only-newlines", Array(repeating: 0x0A, count: 100_000))
        add("document-markers", Array(("---\n" + HostileBase.text + "\n---\n" + HostileBase.text).utf8))
        for _ in 0..<6 {
            let cut = random.int(1...baseBytes.count - 2)
            add("truncated-at-\(cut)", Array(baseBytes[..<cut]), valid: true)
        }
        for _ in 0..<10 {
            var bytes = baseBytes
            for _ in 0..<random.int(1...8) { bytes[random.int(0...bytes.count - 1)] = UInt8(truncatingIfNeeded: random.next()) }
            add("flipped-\(random.next() % 100_000)", bytes, valid: true)
        }
        add("file-over-1mib", appending("# " + repeated("x", 1 << 20)))
        return cases
    }

    /// `--set` values of every class, through `check` and `run` (validate takes no `--set`).
    static func settings(_ random: inout SplitMix64) -> [HostileCase] {
        var values: [(String, String)] = [
            ("unary-100000", "usage_threshold=" + repeated("-", 100_000) + "0.5"),
            ("parentheses-60000", "usage_threshold=" + repeated("(", 60_000) + "0.5" + repeated(")", 60_000)),
            ("unclosed-100000", "usage_threshold=" + repeated("(", 100_000)),
            ("nested-max-20000", "usage_threshold=" + repeated("max(", 20_000) + "1" + repeated(")", 20_000)),
            ("long-sum-60000", "usage_threshold=" + repeated("0+", 60_000) + "0.5"),
            ("empty-name", "=1"), ("no-equals", "usage_threshold"), ("undeclared", "nosuch=1"),
            ("empty-number", "usage_threshold="), ("string-huge", "unit=" + repeated("u", 120_000)),
            ("string-control", "unit=\u{1b}[31mred\n--set x"), ("parameter-reference", "usage_threshold=${usage_threshold}"),
            ("variable", "usage_threshold=current"), ("ceiling-fraction", "max_ceiling=4194304.5"),
            ("ceiling-int64-overflow", "max_ceiling=9223372036854775808"), ("ceiling-400-digits", "max_ceiling=" + repeated("9", 400)),
            ("ceiling-negative-overflow", "max_ceiling=-9223372036854775809"),
        ]
        for value in hugeNumberValues + nanValues { values.append(("threshold=\(value.prefix(16))…\(value.count)", "usage_threshold=" + value)) }
        for value in hugeDurationValues { values.append(("settle=\(value.prefix(16))…\(value.count)", "settle=" + value)) }
        var cases = values.map { HostileCase(hostileClass: "set", name: $0.0, bytes: baseBytes, settings: ["--set", $0.1]) }
        cases.append(HostileCase(hostileClass: "set", name: "twice", bytes: baseBytes,
                                 settings: ["--set", "usage_threshold=0.5", "--set", "usage_threshold=0.6"]))
        cases.append(HostileCase(hostileClass: "set", name: "valid", bytes: baseBytes, settings: ["--set", "usage_threshold=0.\(random.int(5...9))"],
                                 mayBeValid: true))
        return cases
    }
}
