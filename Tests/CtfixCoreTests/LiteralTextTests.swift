import Foundation
import Testing
@testable import CtfixCore

/// LiteralText and the call sites that left Foundation's Unicode search for it, each against
/// the Foundation call it replaced, on generated text: ASCII, combining marks after the needle,
/// CR LF, prepended and spacing marks, singletons with ASCII-looking canonical forms (U+037E is
/// ";"), emoji sequences, non-ASCII digits, NUL, empty and very long strings.
@Suite struct LiteralTextTests {
    typealias SplitMix = LogByteSearchTests.SplitMix

    /// Pieces that make the searches interesting: needles, their neighbours, and what
    /// Foundation treats specially right after a match.
    static let pieces: [String] = [
        "a", "b", "K", "x", "0", "1", "5", "9", "/", ".", "..", "_", " ", "\0", ":", ";", "`", "-", "+", "\t", "\n", "\r\n", "\r",
        "in netns ", "in netns", "in ", "netns ", "kB", "Mem", "conntrack", "ip_conntrack", "net.netfilter.", "nf_conntrack_max",
        "\u{301}", "\u{308}", "\u{20DD}", "\u{651}", "\u{93F}", "\u{200D}", "\u{FE0F}", "\u{1F3FB}", "\u{0CC0}", "\u{0600}",
        "\u{1100}\u{1161}", "\u{1F1FA}\u{1F1F8}", "é", "e\u{301}", "\u{212B}", "\u{212A}", "\u{037E}", "\u{1FEF}", "ﬁ",
        "٣", "½", "𝟠", "๒", "1\u{FE0F}\u{20E3}", "👩\u{200D}👩", "\u{FFFD}", "\u{10FFFF}",
    ]

    static func text(_ random: inout SplitMix, from pool: [String] = pieces, maximum: Int = 12) -> String {
        switch random.next() % 40 {
        case 0: return ""
        case 1: return String(repeating: pool[Int(random.next() % UInt64(pool.count))], count: 500 + Int(random.next() % 2000))
        default: return (0..<Int(random.next() % UInt64(maximum + 1))).map { _ in pool[Int(random.next() % UInt64(pool.count))] }.joined()
        }
    }

    static let texts: [String] = {
        var random = SplitMix(state: 0x6C69_7465_7261_6C)
        return (0..<12_000).map { _ in text(&random) }
    }()

    static let asciiTexts: [String] = {
        var random = SplitMix(state: 0x6173_6369_69)
        let ascii = pieces.filter { $0.utf8.allSatisfy { $0 < 0x80 } }
        return (0..<12_000).map { _ in text(&random, from: ascii) }
    }()

    @Test func onASCIITextEveryHelperIsFoundation() {
        for text in Self.asciiTexts {
            #expect(text.literalRange(of: "in netns ") == text.range(of: "in netns "))
            #expect(text.literalRange(of: "/") == text.range(of: "/"))
            #expect(text.containsLiteral("conntrack") == text.contains("conntrack"))
            #expect(text.containsASCII(" ") == text.contains(" "))
            #expect(text.containsASCII("\0") == text.contains("\0"))
            #expect(text.replacingASCII(".", with: "/") == text.replacingOccurrences(of: ".", with: "/"))
            #expect(text.replacingASCII("_", with: nil) == text.replacingOccurrences(of: "_", with: ""))
        }
    }

    /// Elsewhere a literal match is found wherever Foundation finds one (none of these needles
    /// has another canonical form), and Foundation misses one only where a mark follows it.
    @Test func onAnyTextFoundationFindsNothingMoreAndMissesOnlyBeforeAMark() {
        for text in Self.texts {
            for needle in ["/", " ", "\0", "_", "."] as [StaticString] {
                let literal = text.containsLiteral(needle), foundation = text.contains(needle.description)
                #expect(literal || !foundation, "\(Array(text.unicodeScalars)) \(needle)")
                if literal != foundation {
                    #expect(Self.everyOccurrenceIsFollowedByNonASCII(needle.description, in: text), "\(Array(text.unicodeScalars))")
                }
            }
        }
    }

    static func everyOccurrenceIsFollowedByNonASCII(_ needle: String, in text: String) -> Bool {
        let scalars = Array(text.unicodeScalars), target = needle.unicodeScalars.first!
        return scalars.indices.filter { scalars[$0] == target }.allSatisfy { $0 + 1 < scalars.count && !scalars[$0 + 1].isASCII }
    }

    // MARK: The call sites

    /// `ParseScope.integer`: the number read is the same for every text (a non-ASCII scalar
    /// fails `Int` either way), and the ASCII texts here parse often.
    @Test func integerUnderscoresReadTheSameNumber() {
        var random = SplitMix(state: 0x696E_74)
        let digits = ["0", "1", "9", "_", "-", "+", "_\u{301}", "5\u{301}", "٣", " ", "00"]
        var parsed = 0
        for text in Self.texts + (0..<12_000).map({ _ in Self.text(&random, from: digits, maximum: 20) }) {
            let old = Int(text.replacingOccurrences(of: "_", with: ""))
            #expect(Int(text.replacingASCII("_", with: nil)) == old, "\(Array(text.unicodeScalars))")
            if old != nil { parsed += 1 }
        }
        #expect(parsed > 400)
    }

    /// `NumberExpression.Parser.number`: the run of characters it takes (numbers, `.`, `_`),
    /// with its underscores dropped, is the same text, so the same value and message.
    @Test func numberRunsDropTheSameUnderscores() {
        var random = SplitMix(state: 0x6E75_6D)
        let characters: [Character] = ["0", "7", ".", "_", "٣", "½", "𝟠", "๒", "5\u{301}", "1\u{FE0F}\u{20E3}", "Ⅻ", "\u{2070}", "_"]
        var scalars = 0
        for _ in 0..<12_000 {
            let run = (0..<Int(random.next() % 16)).map { _ in characters[Int(random.next() % UInt64(characters.count))] }
            #expect(run.allSatisfy { $0.isNumber || $0 == "." || $0 == "_" })
            let text = String(run)
            #expect(text.replacingASCII("_", with: nil) == text.replacingOccurrences(of: "_", with: ""), "\(Array(text.unicodeScalars))")
            scalars += text.unicodeScalars.count
        }
        // Every numeric scalar: none combines with an "_" before it, none is a mark Foundation
        // would refuse a match before, none joins an "_" after it into one Character.
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value), scalar.properties.numericType != nil else { continue }
            for text in ["_" + String(scalar), String(scalar) + "_", "1_" + String(scalar) + "_2"] {
                #expect(text.replacingASCII("_", with: nil) == text.replacingOccurrences(of: "_", with: ""), "\(value)")
            }
        }
        #expect(scalars > 50_000)
    }

    /// `SysctlKey.init`: the same key or the same refusal for every text (only ASCII reaches
    /// the `/` test).
    @Test func sysctlKeysAreParsedAsBefore() {
        var random = SplitMix(state: 0x7379_73)
        let keyPieces = ["net", "netfilter", "nf_conntrack_max", ".", "/", "..", "eth0.100", "-", "_", "é", "\u{301}", "/\u{301}", "", " ", "\0"]
        for text in Self.texts + (0..<12_000).map({ _ in Self.text(&random, from: keyPieces, maximum: 8) }) {
            let new = Result { () throws(SysctlKey.Invalid) in try SysctlKey(text).components }
            #expect(new == Self.oldSysctlKey(text), "\(Array(text.unicodeScalars))")
        }
    }

    /// The former `SysctlKey.init`, with Foundation's `contains`.
    static func oldSysctlKey(_ text: String) -> Result<[String], SysctlKey.Invalid> {
        func fail(_ reason: String) -> Result<[String], SysctlKey.Invalid> { .failure(SysctlKey.Invalid(key: text, reason: reason)) }
        guard !text.isEmpty else { return fail("it is empty") }
        if text.hasPrefix("/") { return fail("write the key (net.netfilter.nf_conntrack_max), not an absolute path; use 'file:' for paths") }
        if let bad = text.unicodeScalars.first(where: { !("a"..."z").contains($0) && !("A"..."Z").contains($0) && !("0"..."9").contains($0) && !"_-./".unicodeScalars.contains($0) }) {
            return fail("character '\(bad)' is not allowed (only letters, digits, '_', '-', '.' and '/')")
        }
        let slashForm = text.contains("/")
        let parts = text.split(separator: slashForm ? "/" : ".", omittingEmptySubsequences: false).map(String.init)
        if parts.contains("..") || (slashForm && parts.contains(".")) { return fail("'..' and '.' components are not allowed") }
        if parts.contains(where: \.isEmpty) { return fail("it has an empty component (leading, trailing or doubled '\(slashForm ? "/" : ".")')") }
        if parts.count < 2 { return fail("it needs at least two components (every sysctl lives in a directory such as net., vm. or kernel.)") }
        return .success(parts)
    }

    /// `SysctlAction.settingKey`: keys are SysctlKey dotted names (ASCII), edited as before.
    @Test func bootFileEditsAreUnchanged() throws {
        var random = SplitMix(state: 0x7365_74)
        let linePieces = ["net.netfilter.nf_conntrack_max", "net/netfilter/nf_conntrack_max", " = ", "=", "1", "-", "#", ";", " ", "\n", "x.y"]
        for _ in 0..<3_000 {
            let content = Self.text(&random, from: linePieces, maximum: 24)
            for key in ["net.netfilter.nf_conntrack_max", "x.y", "a.b.c"] {
                let edited = SysctlAction.settingKey(key, to: "42", in: content)
                #expect(edited == Self.oldSettingKey(key, to: "42", in: content))
            }
        }
    }

    static func oldSettingKey(_ key: String, to value: String, in content: String) -> String {
        let slashed = key.replacingOccurrences(of: ".", with: "/")
        var lines = content.isEmpty ? [] : content.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        var found = false
        for index in lines.indices {
            let trimmed = lines[index].trimmingCharacters(in: .whitespaces)
            guard !trimmed.hasPrefix("#"), !trimmed.hasPrefix(";"), let equals = trimmed.firstIndex(of: "=") else { continue }
            var name = trimmed[..<equals].trimmingCharacters(in: .whitespaces)
            if name.hasPrefix("-") { name.removeFirst() }
            guard name == key || name == slashed else { continue }
            lines[index] = "\(key) = \(value)"
            found = true
        }
        if !found { lines.append("\(key) = \(value)") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `PlaybookLocator.isPath`: a name or a path as before, except an argument whose every `/`
    /// carries a mark (Foundation saw no `/`; the name then held one): now a path.
    @Test func playbookArgumentsArePathsAsBeforeUnlessASlashCarriesAMark() {
        var random = SplitMix(state: 0x7061_7468)
        let argumentPieces = ["table-full", "/", "./", "..", ".yaml", ".yml", "\u{301}", "\u{20DD}", "é", "playbooks", "\u{0600}", " "]
        for text in Self.texts + (0..<12_000).map({ _ in Self.text(&random, from: argumentPieces, maximum: 6) }) {
            let old = text.contains("/") || text.hasSuffix(".yaml") || text.hasSuffix(".yml")
            let new = PlaybookLocator.isPath(text)
            #expect(new || !old)
            if new != old { #expect(Self.everyOccurrenceIsFollowedByNonASCII("/", in: text), "\(Array(text.unicodeScalars))") }
        }
    }

    /// `Slabinfo`'s slabdata section: Foundation's answer for every section (its search only
    /// runs for non-ASCII text with the literal bytes in it).
    @Test func slabdataSectionsAreFoundAsBefore() {
        var random = SplitMix(state: 0x736C_6162)
        let sectionPieces = ["slabdata", "slabdat", "labdata", "a", "á", "\u{301}", "\u{20DD}", " ", "1", "0", "tunables", "\u{0600}", "\t", "\u{FE0F}"]
        var found = 0
        for text in Self.texts + (0..<12_000).map({ _ in Self.text(&random, from: sectionPieces, maximum: 8) }) {
            let section = Substring(text)
            #expect(Slabinfo.mentionsSlabdata(section) == section.contains("slabdata"), "\(Array(text.unicodeScalars))")
            if section.contains("slabdata") { found += 1 }
        }
        #expect(found > 1_000)
    }

    /// `NamespaceMention.ids`: the same namespaces for every line, including a mark right after
    /// "in netns " (Foundation finds no phrase; the literal search finds it, then no digit).
    @Test func namespaceMentionsAreTheSame() {
        var random = SplitMix(state: 0x6E65_746E_73)
        let linePieces = ["in netns ", "in netns", "4026532177", "12", "0", "1", "99999999999999999999999", ", dropping", " ", "\u{301}",
                          "\u{20DD}", "\u{FE0F}", "\u{200D}", "٣", "\r\n", "\u{0600}", "e\u{301}", "table full", "nf_conntrack: "]
        var found = 0
        for _ in 0..<12_000 {
            let lines = (0..<Int(1 + random.next() % 3)).map { _ in Self.text(&random, from: random.next() % 4 == 0 ? Self.pieces : linePieces) }
            let ids = NamespaceMention.ids(in: lines)
            #expect(ids == Self.oldNamespaceIDs(lines), "\(lines.map { Array($0.unicodeScalars) })")
            found += ids.count
        }
        #expect(found > 500)
    }

    static func oldNamespaceIDs(_ lines: [String]) -> [UInt64] {
        var found: [UInt64] = []
        for line in lines {
            var rest = Substring(line)
            while let range = rest.range(of: "in netns ") {
                rest = rest[range.upperBound...]
                let digits = rest.prefix(while: { $0.isASCII && $0.isNumber })
                if (1...20).contains(digits.count), let id = UInt64(digits), !found.contains(id) { found.append(id) }
            }
        }
        return found
    }

    /// `Meminfo(parsing:)`: the same fields, except a name whose space carries a combining mark
    /// (`Mem \u{301}Total`), which Foundation did not see as a space and which is now skipped.
    @Test func meminfoFieldsAreTheSameButASpaceWithAMarkIsASpace() {
        var random = SplitMix(state: 0x6D65_6D)
        let namePieces = ["MemTotal", "Mem", "Total", " ", "_", "\u{301}", "\u{20DD}", "\u{0600}", "é", "HugePages_Total", ":"]
        let tailPieces = [" ", "  ", "\t", "16384", "0", "kB", "KB", "\u{301}", "x"]
        var fields = 0
        for _ in 0..<12_000 {
            let text = random.next() % 4 == 0 ? Self.text(&random, maximum: 30) : (0..<Int(random.next() % 6)).map { _ in
                Self.text(&random, from: namePieces, maximum: 3) + ":" + Self.text(&random, from: tailPieces, maximum: 4) + (random.next() % 5 == 0 ? "\r\n" : "\n")
            }.joined()
            let new = Meminfo(parsing: text), old = Self.oldMeminfoNames(text)
            #expect(Set(new.names).isSubset(of: Set(old)))
            for dropped in Set(old).subtracting(new.names) {
                #expect(Self.everyOccurrenceIsFollowedByNonASCII(" ", in: dropped), "\(Array(dropped.unicodeScalars))")
            }
            fields += new.names.count
        }
        #expect(fields > 1_000)
        #expect(Meminfo(parsing: "Mem \u{301}Total: 5 kB\nMemFree: 1 kB\n").names == ["MemFree"])
    }

    static func oldMeminfoNames(_ text: String) -> [String] {
        var names: [String] = []
        for line in text.split(whereSeparator: \.isNewline) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, !name.contains(" ") else { continue }
            let tokens = line[line.index(after: colon)...].split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard let first = tokens.first, HostNumber.parse(first) != nil else { continue }
            if !names.contains(name) { names.append(name) }
        }
        return names
    }
}
