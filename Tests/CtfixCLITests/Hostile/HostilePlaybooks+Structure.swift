/// Classes of structural attack: deep YAML (block and flow), deep predicate trees, long
/// expression chains, and lists or mappings with very many elements.
extension HostilePlaybooks {
    static func repeated(_ text: String, _ count: Int) -> String { String(repeating: text, count: count) }

    /// Deep YAML nesting in flow style (`[[[…]]]`, `{a: {a: …}}`), block style (compact
    /// `- - - x` and indented mappings), closed and unclosed.
    static func yamlNesting() -> [HostileCase] {
        var cases: [HostileCase] = []
        for depth in [33, 65, 500, 999, 1000, 1001, 5000, 100_000] {
            cases.append(HostileCase(hostileClass: "yaml-depth", name: "flow-sequence-\(depth)",
                                     bytes: replacing(line: index("description"), with: repeated("[", depth) + repeated("]", depth))))
        }
        for depth in [65, 999, 1001, 20_000] {
            cases.append(HostileCase(hostileClass: "yaml-depth", name: "flow-mapping-\(depth)",
                                     bytes: replacing(line: index("description"), with: repeated("{a: ", depth) + "1" + repeated("}", depth))))
        }
        for depth in [1000, 100_000] {
            cases.append(HostileCase(hostileClass: "yaml-depth", name: "flow-unclosed-\(depth)",
                                     bytes: replacing(line: index("description"), with: repeated("[", depth))))
        }
        for depth in [65, 999, 1001, 10_000, 100_000] {
            cases.append(HostileCase(hostileClass: "yaml-depth", name: "block-compact-sequence-\(depth)",
                                     bytes: appending("extra:\n  " + repeated("- ", depth) + "x\n")))
        }
        for depth in [65, 500, 1100] {
            let lines = (0..<depth).map { repeated(" ", $0 + 1) + "k:" }.joined(separator: "\n")
            cases.append(HostileCase(hostileClass: "yaml-depth", name: "block-mapping-\(depth)",
                                     bytes: appending("extra:\n" + lines + " x\n")))
        }
        for depth in [200, 700] {
            let lines = (0..<depth).map { repeated(" ", 2 * $0) + "- a:" }.joined(separator: "\n")
            cases.append(HostileCase(hostileClass: "yaml-depth", name: "block-sequence-of-mappings-\(depth)",
                                     bytes: appending("extra:\n" + lines + " x\n")))
        }
        return cases
    }

    static let leaf = "{value: {sysctl: net.netfilter.nf_conntrack_count, above: 100000}}"

    /// Deep `all` / `any` / `not` trees, flow and block style, at and beyond every plausible limit.
    static func predicateTrees() -> [HostileCase] {
        var cases: [HostileCase] = []
        for depth in [16, 32, 33, 64, 200, 990, 5000] {
            cases.append(HostileCase(hostileClass: "predicate-depth", name: "not-\(depth)",
                                     bytes: detect(repeated("{not: ", depth) + leaf + repeated("}", depth)),
                                     mayBeValid: depth <= 32))
            for combinator in ["all", "any"] {
                cases.append(HostileCase(hostileClass: "predicate-depth", name: "\(combinator)-\(depth)",
                                         bytes: detect(repeated("{\(combinator): [", depth) + leaf + repeated("]}", depth)),
                                         mayBeValid: depth <= 32))
            }
            cases.append(HostileCase(hostileClass: "predicate-depth", name: "mixed-\(depth)",
                                     bytes: detect((0..<depth).map { ["{not: ", "{all: [", "{any: ["][$0 % 3] }.joined() + leaf
                                                   + (0..<depth).reversed().map { ["}", "]}", "]}"][$0 % 3] }.joined()),
                                     mayBeValid: depth <= 32))
        }
        for depth in [40, 300, 700] {
            var lines = ["detect:"]
            for level in 0..<depth { lines.append(repeated(" ", 2 * (level + 1)) + "not:") }
            lines.append(repeated(" ", 2 * (depth + 1)) + "value: {sysctl: net.netfilter.nf_conntrack_count, above: 1}")
            let base = baseLines
            let start = base.firstIndex(of: "detect:")!, end = base.firstIndex(of: "actions:")!
            let text = (base[..<start] + lines + base[end...]).joined(separator: "\n")
            cases.append(HostileCase(hostileClass: "predicate-depth", name: "block-not-\(depth)", bytes: Array(text.utf8)))
        }
        return cases
    }

    /// Long unary-minus chains, parentheses, nested calls and sums in expression fields.
    static func expressionChains(_ random: inout SplitMix64) -> [HostileCase] {
        let chains: [(String, (Int) -> String)] = [
            ("unary-minus", { repeated("-", $0) + "0.5" }),
            ("parentheses", { repeated("(", $0) + "0.5" + repeated(")", $0) }),
            ("unclosed-parentheses", { repeated("(", $0) + "0.5" }),
            ("nested-max", { repeated("max(", $0) + "1" + repeated(")", $0) }),
            ("minus-parenthesis", { repeated("-(", $0) + "1" + repeated(")", $0) }),
            ("long-sum", { repeated("1+", $0) + "1" }),
            ("long-product", { repeated("2*", $0) + "1" }),
        ]
        var cases: [HostileCase] = []
        for path in expressionPaths {
            let all = path == "detect.any.ratio.above" || path == "actions.sysctl.set"
            for (name, make) in chains where all || random.int(0...2) == 0 {
                for length in all ? [100, 5000, 100_000] : [random.pick([100, 5000, 100_000])] {
                    // A sum of 100 terms is long but legal (at most 1000 characters, depth 1).
                    cases.append(HostileCase(hostileClass: "expression-chain", name: "\(path)-\(name)-\(length)",
                                             bytes: replacing(line: index(path), with: make(length)),
                                             mayBeValid: name == "long-sum" && length == 100))
                }
            }
        }
        return cases
    }

    /// Very many actions, predicates, parameters, keys, list entries; enormous keys.
    static func manyElements() -> [HostileCase] {
        var cases: [HostileCase] = []
        let actions = (0..<10_000).map { "  - {name: a\($0), explain: e, risk: disruptive, drop_caches: {level: 1}}" }
        var lines = baseLines
        lines.insert(contentsOf: actions, at: lines.firstIndex(of: "actions:")! + 1)
        cases.append(HostileCase(hostileClass: "many-elements", name: "10000-actions", bytes: Array(lines.joined(separator: "\n").utf8)))
        cases.append(HostileCase(hostileClass: "many-elements", name: "20000-predicates",
                                 bytes: detect("{any: [" + Array(repeating: leaf, count: 20_000).joined(separator: ", ") + "]}")))
        let parameters = (0..<5000).map { "  p\($0): {type: number, default: 1, description: d}" }
        lines = baseLines
        lines.insert(contentsOf: parameters, at: lines.firstIndex(of: "parameters:")! + 1)
        cases.append(HostileCase(hostileClass: "many-elements", name: "5000-parameters", bytes: Array(lines.joined(separator: "\n").utf8)))
        cases.append(HostileCase(hostileClass: "many-elements", name: "20000-unknown-keys",
                                 bytes: appending((0..<20_000).map { "k\($0): 1" }.joined(separator: "\n"))))
        cases.append(HostileCase(hostileClass: "many-elements", name: "100000-argv",
                                 bytes: replacing(line: index("actions.command.argv"), with: "[logger" + repeated(", x", 100_000) + "]")))
        cases.append(HostileCase(hostileClass: "many-elements", name: "10000-key-alternatives",
                                 bytes: replacing(line: index("actions.sysctl.key"), with: "[" + (0..<10_000).map { "net.k\($0)" }.joined(separator: ", ") + "]")))
        for length in [1000, 500_000] {
            cases.append(HostileCase(hostileClass: "many-elements", name: "key-\(length)",
                                     bytes: appending(repeated("k", length) + ": 1")))
            cases.append(HostileCase(hostileClass: "many-elements", name: "parameter-name-\(length)",
                                     bytes: Array(HostileBase.text.replacingOccurrences(of: "  settle:", with: "  " + repeated("s", length) + ":").utf8)))
        }
        return cases
    }

    /// An unknown key (a typo of a known one, or a stranger) in every mapping of the base.
    static func unknownKeys(_ random: inout SplitMix64) -> [HostileCase] {
        var cases: [HostileCase] = []
        let lines = baseLines
        for (index, line) in lines.enumerated() where index + 1 < lines.count {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasSuffix(":"), !trimmed.hasPrefix("- ") || trimmed.count > 2 else { continue }
            let next = lines[index + 1]
            let indent = String(next.prefix { $0 == " " }) + (next.trimmingCharacters(in: .whitespaces).hasPrefix("- ") ? "  " : "")
            let key = random.pick(["cieling", "pattren", "unknown", "Name", "risk ", "x_\(index)", "\u{202E}key", "ke\u{0301}y"])
            var edited = lines
            edited.insert(indent + key + ": 1", at: index + 1)
            cases.append(HostileCase(hostileClass: "unknown-key", name: "after-line-\(index + 1)-\(key)",
                                     bytes: Array(edited.joined(separator: "\n").utf8)))
        }
        return cases
    }
}
