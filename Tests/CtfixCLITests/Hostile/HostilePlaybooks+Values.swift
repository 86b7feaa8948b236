import CtfixCore

/// Classes of value attack: numbers and durations that overflow, NaN and infinity spellings,
/// huge strings and patterns, alias bombs, wrong types at every field.
extension HostilePlaybooks {
    static let hugeNumberValues = [
        "99999999999999999999", repeated("9", 400), "99999999999999999999TiB", "-99999999999999999999",
        "9223372036854775807", "9223372036854775808", "18446744073709551616", "1" + repeated("0", 308),
        repeated("9", 309) + ".5", "1_000_000_000_000_000_000_000", "99999999999999999999%", "0." + repeated("0", 400) + "1",
        repeated("9", 300) + " * " + repeated("9", 300), "${max_ceiling} * " + repeated("9", 300),
    ]
    /// Numbers a correct ctfix may accept in some fields.
    static let plausibleNumberValues = ["4294967296", "-0", "0.000000000000000000000001"]

    /// Overflowing numbers in every numeric field (all values in the threshold and `set`).
    static func hugeNumbers(_ random: inout SplitMix64) -> [HostileCase] {
        var cases: [HostileCase] = []
        for path in numericPaths {
            let all = path == "detect.any.ratio.above" || path == "actions.sysctl.set"
            for value in hugeNumberValues where all || random.int(0...5) == 0 {
                cases.append(HostileCase(hostileClass: "huge-number", name: "\(path)=\(value.prefix(24))…\(value.count)",
                                         bytes: replacing(line: index(path), with: value)))
            }
            let plausible = random.pick(plausibleNumberValues)
            cases.append(HostileCase(hostileClass: "huge-number", name: "\(path)=\(plausible)",
                                     bytes: replacing(line: index(path), with: plausible), mayBeValid: true))
        }
        return cases
    }

    static let hugeDurationValues = [
        "99999999999999999999d", repeated("9", 400) + "s", "9223372036854775807ms", "9223372036854775808s",
        "106751991167301d", "1000000000000h", "99999999999999999999d1s", repeated("1h", 10_000), "-1s",
        "1e9s", "1.5.5s", repeated("9", 20) + "." + repeated("9", 20) + "ms", "0x10s",
    ]

    /// Overflowing and malformed durations in every duration field.
    static func hugeDurations(_ random: inout SplitMix64) -> [HostileCase] {
        var cases: [HostileCase] = []
        for path in durationPaths {
            let all = path == "cooldown" || path == "parameters.settle.default"
            for value in hugeDurationValues where all || random.int(0...1) == 0 {
                cases.append(HostileCase(hostileClass: "huge-duration", name: "\(path)=\(value.prefix(24))…\(value.count)",
                                         bytes: replacing(line: index(path), with: value)))
            }
            for value in ["3650d", "0.0000001ms"] {
                cases.append(HostileCase(hostileClass: "huge-duration", name: "\(path)=\(value)",
                                         bytes: replacing(line: index(path), with: value), mayBeValid: true))
            }
        }
        return cases
    }

    static let nanValues = [
        "nan", "NaN", ".nan", ".NaN", "inf", ".inf", "-.inf", "+.inf", "Infinity", "-Infinity", "1e309",
        "0x1p1024", "(" + repeated("9", 309) + ") - (" + repeated("9", 309) + ")", "0/0", "${usage_threshold} / 0",
        repeated("9", 309) + " * 0", "max(" + repeated("9", 309) + ", 1) - " + repeated("9", 309),
    ]

    /// NaN and infinity spellings, and expressions that would evaluate to them.
    static func nanAndInfinity(_ random: inout SplitMix64) -> [HostileCase] {
        var cases: [HostileCase] = []
        for path in expressionPaths + ["parameters.usage_threshold.default", "parameters.max_ceiling.default"] {
            let all = path == "detect.any.ratio.above" || path == "actions.sysctl.set"
            for value in nanValues where all || random.int(0...2) == 0 {
                cases.append(HostileCase(hostileClass: "nan-inf", name: "\(path)=\(value.prefix(24))…\(value.count)",
                                         bytes: replacing(line: index(path), with: value)))
            }
        }
        return cases
    }

    /// Huge strings in every string field, and hostile regular expressions.
    static func hugeStrings(_ random: inout SplitMix64) -> [HostileCase] {
        let paths = ["name", "summary", "description", "parameters.usage_threshold.description", "parameters.unit.default",
                     "detect.any.log.pattern", "detect.any.not.file_matches.path", "actions.name", "actions.explain",
                     "actions.sysctl.key", "actions.restart_service.unit"]
        var cases: [HostileCase] = []
        for path in paths {
            for length in [10_000, 500_000, 1_100_000] {
                let text = String((0..<min(length, 64)).map { _ in random.pick(Array("abcdefghijklmnopqrstuvwxyz.")) })
                let value = String(repeating: text, count: length / max(text.count, 1))
                // 10 000 bytes of free text (a description, a pattern) are within the scalar limit.
                let freeText = path.hasSuffix("description") || path.hasSuffix("pattern")
                cases.append(HostileCase(hostileClass: "huge-string", name: "\(path)-\(length)",
                                         bytes: replacing(line: index(path), with: "'" + value + "'"),
                                         mayBeValid: freeText && length <= ParseLimits.maximumScalarBytes))
            }
        }
        for pattern in [repeated("(", 100_000), repeated("(a", 5000) + repeated(")", 5000), "a{999999999}",
                        "a{2147483648}", "[" + repeated("a-", 50_000) + "]", repeated("(?:", 10_000) + "a" + repeated(")", 10_000),
                        "\\p{" + repeated("L", 10_000) + "}", "(a+)+$"] {
            cases.append(HostileCase(hostileClass: "huge-string", name: "pattern-\(pattern.prefix(12))…\(pattern.count)",
                                     bytes: replacing(line: index("detect.any.log.pattern"), with: "'" + pattern + "'"),
                                     mayBeValid: pattern == "(a+)+$"))
        }
        return cases
    }

    /// Alias expansion bombs and anchor abuse.
    static func aliasBombs() -> [HostileCase] {
        var laughs = ["extra:", "  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        for level in 1...9 { laughs.append("  a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ", ") + "]") }
        var cases = [HostileCase(hostileClass: "alias-bomb", name: "billion-laughs", bytes: appending(laughs.joined(separator: "\n")))]
        var inDetect = ["x0: &x0 " + leaf]
        for level in 1...12 { inDetect.append("x\(level): &x\(level) {any: [" + Array(repeating: "*x\(level - 1)", count: 4).joined(separator: ", ") + "]}") }
        let lines = baseLines
        let start = lines.firstIndex(of: "detect:")!, end = lines.firstIndex(of: "actions:")!
        let text = (lines[..<start] + inDetect + ["detect: *x12"] + lines[end...]).joined(separator: "\n")
        cases.append(HostileCase(hostileClass: "alias-bomb", name: "predicate-tree-bomb", bytes: Array(text.utf8)))
        cases.append(HostileCase(hostileClass: "alias-bomb", name: "100000-anchors",
                                 bytes: appending("extra: [" + (0..<100_000).map { "&n\($0) 1" }.joined(separator: ", ") + "]")))
        cases.append(HostileCase(hostileClass: "alias-bomb", name: "undefined-alias", bytes: replacing(line: index("cooldown"), with: "*nowhere")))
        cases.append(HostileCase(hostileClass: "alias-bomb", name: "self-alias", bytes: appending("extra: &s [*s]")))
        cases.append(HostileCase(hostileClass: "alias-bomb", name: "merge-key-bomb",
                                 bytes: appending("m0: &m0 {a: 1}\n" + (1...40).map { "m\($0): &m\($0) {<<: *m\($0 - 1), b\($0): [*m\($0 - 1), *m\($0 - 1)]}" }.joined(separator: "\n"))))
        return cases
    }

    static let wrongTypeValues = ["{}", "[]", "~", "{a: 1}", "[1, [2]]", "true", "-1", "\"x\"", "''", "!!binary aGk=", "? x", "|\n  text"]

    /// Wrong types at every scalar field of the valid base.
    static func wrongTypes(_ random: inout SplitMix64) -> [HostileCase] {
        var cases: [HostileCase] = []
        for field in scalarFields {
            var chosen: Set<String> = []
            chosen.insert(random.pick(wrongTypeValues))
            for value in chosen.sorted() {
                cases.append(HostileCase(hostileClass: "wrong-type", name: "\(field.path)=\(value)",
                                         bytes: replacing(line: field.index, with: value), mayBeValid: true))
            }
        }
        return cases
    }
}
