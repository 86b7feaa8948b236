import Foundation
import Testing
@testable import CtfixCore

/// `SnapshotManifest.decode` and `RecordedStatSamples.decode` (`JSONDocument`) against the
/// `JSONDecoder` reads they replaced, on 10 000 generated files each: well-formed ones (members
/// in any order, optional members absent or null, members ctfix does not read, any spacing,
/// `\u` escapes, non-ASCII, combining marks, empty and 20 000-character strings, valid and
/// invalid times, numbers in every spelling) and mutated ones (wrong types, cut short, noise,
/// a key twice, trailing commas, deep nesting, a byte order mark, huge numbers).
/// Never looser: whatever the new reader accepts, JSONDecoder accepted, to the same value.
/// The same on well-formed files: accepted exactly when JSONDecoder accepted them. Refused
/// although JSONDecoder took them: only the mutations `JSONDocument` names (`stricter`).
@Suite struct JSONDocumentTests {
    typealias SplitMix = NameRuleTests.SplitMix

    static let pieces = ["a", "Z", "9", " ", "\"", "\\", "/", "\n", "\t", "\u{0}", "\u{1f}", "\u{7f}", "é", "ß", "٣", "\u{2028}",
                         "😀", "e\u{301}", "\u{301}", "edge-lb-07", "5.15.0-97-generic", "entries  searched found\n"]

    static func string(_ random: inout SplitMix) -> String {
        switch Int.random(in: 0...9, using: &random) {
        case 0: ""
        case 1: String(repeating: pieces.randomElement(using: &random)!, count: 20_000)
        default: (0..<Int.random(in: 1...6, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
        }
    }

    /// A JSON string literal, sometimes with every non-ASCII scalar written as `\u` escapes.
    static func literal(_ text: String, _ random: inout SplitMix) -> String {
        let plain = JSONValue.string(text).serialized()
        guard Bool.random(using: &random) else { return plain }
        var out = ""
        for scalar in plain.unicodeScalars {
            guard scalar.value > 0x7F else { out.unicodeScalars.append(scalar); continue }
            for unit in String(scalar).utf16 { out += "\\u" + String(unit, radix: 16, uppercase: Bool.random(using: &random)).leftPadded(4) }
        }
        return out
    }

    static func time(_ random: inout SplitMix, micro: Bool) -> String {
        let instant = Date(timeIntervalSince1970: Double(Int64.random(in: -2_000_000_000...6_000_000_000, using: &random))
            + Double(Int.random(in: 0..<1_000_000, using: &random)) / 1_000_000)
        switch Int.random(in: 0...9, using: &random) {
        case 0: return ["", "yesterday", "2026-02-30T00:00:00Z", "2026-11-28T24:00:00Z", "2026-11-28 17:22:39Z",
                        "2026-11-28T17:22:39", "2026-11-28T17:22:39.Z", "2026-11-28T17:22:39.1234567891Z", "２０２６"].randomElement(using: &random)!
        case 1: return ISO8601Time.seconds(instant).replacingOccurrences(of: "Z", with: ["+02:00", "-0530", "+17:59"].randomElement(using: &random)!)
        case 2: return ISO8601Time.milliseconds(instant)
        default: return micro ? PreciseTime.format(instant) : ISO8601Time.seconds(instant)
        }
    }

    /// A value of the wrong type (or null), as JSON text.
    static func wrongType(_ random: inout SplitMix) -> String {
        ["5", "null", "true", "[]", "{}", "[\"2024-03-14T03:12:40Z\"]", "-1.5e3"].randomElement(using: &random)!
    }

    static func number(_ random: inout SplitMix) -> String {
        let whole = UInt64.random(in: 0...4_294_967_295, using: &random)
        return switch Int.random(in: 0...11, using: &random) {
        case 0: "\(whole).0"
        case 1: "\(whole)e0"
        case 2: ["-0", "-0.0", "0e5", "1E+2", "100e-2", "1.5", "-1", "1e-400", "1.0000000000000001", "4026531840.5"].randomElement(using: &random)!
        case 3: ["9007199254740991", "9007199254740992", "9007199254740993", "18446744073709551615", "18446744073709551616",
                 "1e19", "1e400", "123456789012345678901234567890"].randomElement(using: &random)!
        default: "\(whole)"
        }
    }

    /// An object's text from its members, with random spacing.
    static func object(_ members: [(String, String)], _ random: inout SplitMix) -> String {
        func space() -> String { ["", " ", "\n  ", "\t", "\r\n"].randomElement(using: &random)! }
        let body = members.map { space() + literal($0.0, &random) + space() + ":" + space() + $0.1 }.joined(separator: "," + space())
        return "{" + body + space() + "}"
    }

    /// Members ctfix does not read (a manifest's `skipped`, `notes`, `files`; anything).
    static func extras(_ random: inout SplitMix) -> [(String, String)] {
        ["skipped", "notes", "files", "x", "Captured_At", "é"].shuffled(using: &random).prefix(Int.random(in: 0...3, using: &random))
            .map { ($0, JSONValueTextTests.randomValue(&random).serialized()) }
    }

    /// The optional member `key` absent, null, a string, or (rarely) of the wrong type.
    static func optional(_ key: String, _ random: inout SplitMix, value: (inout SplitMix) -> String) -> [(String, String)] {
        switch Int.random(in: 0...9, using: &random) {
        case 0...2: []
        case 3: [(key, "null")]
        case 4: [(key, wrongType(&random))]
        default: [(key, value(&random))]
        }
    }

    /// A required member: mostly right, sometimes missing or of the wrong type.
    static func required(_ key: String, _ random: inout SplitMix, value: (inout SplitMix) -> String) -> [(String, String)] {
        switch Int.random(in: 0...19, using: &random) {
        case 0: []
        case 1: [(key, wrongType(&random))]
        default: [(key, value(&random))]
        }
    }

    static func manifest(_ random: inout SplitMix) -> String {
        var members = required("captured_at", &random) { literal(time(&$0, micro: false), &$0) }
            + required("hostname", &random) { literal(string(&$0), &$0) }
            + optional("kernel", &random) { literal(string(&$0), &$0) }
            + optional("origin", &random) { literal(string(&$0), &$0) }
            + extras(&random)
        members.shuffle(using: &random)
        return object(members, &random)
    }

    static func samples(_ random: inout SplitMix) -> String {
        let items = (0..<Int.random(in: 0...4, using: &random)).map { _ in
            var members = required("path", &random) { random in
                let odd = string(&random)
                return literal(["/proc/net/stat/nf_conntrack", "/proc/7/net/stat/nf_conntrack", odd].randomElement(using: &random)!, &random)
            }
                + optional("netns", &random) { number(&$0) }
                + required("taken_at", &random) { literal(time(&$0, micro: true), &$0) }
                + required("text", &random) { literal(string(&$0), &$0) }
                + extras(&random)
            members.shuffle(using: &random)
            return object(members, &random)
        }
        var members = required("samples", &random) { _ in "[" + items.joined(separator: ",") + "]" } + extras(&random)
        members.shuffle(using: &random)
        return object(members, &random)
    }

    /// A mutation, and whether JSONDecoder may accept what it makes while `JSONDocument`
    /// refuses it on purpose (see `JSONDocument`).
    static func mutate(_ text: String, _ random: inout SplitMix) -> (bytes: [UInt8], stricter: Bool) {
        var bytes = Array(text.utf8)
        let open = bytes.firstIndex(of: UInt8(ascii: "{"))! + 1
        // A member put first in an empty object leaves a trailing comma, which JSONDecoder took.
        let empty = bytes[open...].first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) } == UInt8(ascii: "}")
        switch Int.random(in: 0...13, using: &random) {
        case 0: return (Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &random))), false)
        case 1:
            let noise: [[UInt8]] = [[0x7B], [0x7D], [0x2C], [0x3A], [0x22], [0x5C], [0x30], [0x00], [0xFF], [0xC3], Array("01".utf8)]
            bytes.insert(contentsOf: noise.randomElement(using: &random)!, at: Int.random(in: 0...bytes.count, using: &random))
            return (bytes, true)
        case 2:
            // A key written twice: the copy first or last, the same value or another.
            let key = ["captured_at", "hostname", "kernel", "samples", "x"].randomElement(using: &random)!
            let member = "\"\(key)\": " + (Bool.random(using: &random) ? "\"2024-03-14T03:12:40Z\"" : wrongType(&random)) + ","
            bytes.insert(contentsOf: Array(member.utf8), at: open)
            if let last = bytes.lastIndex(of: UInt8(ascii: "}")) { bytes.insert(contentsOf: Array((", " + member.dropLast()).utf8), at: last) }
            return (bytes, true)
        case 3:
            guard let last = bytes.lastIndex(of: UInt8(ascii: "}")) else { return (bytes, false) }
            bytes.insert(UInt8(ascii: ","), at: last)
            return (bytes, true)
        case 4:
            let depth = [10, 63, 64, 65, 300, 511, 600, 100_000].randomElement(using: &random)!
            let member = "\"deep\": " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + ","
            bytes.insert(contentsOf: Array(member.utf8), at: open)
            return (bytes, depth > 60 || empty)
        case 5: return ([0xEF, 0xBB, 0xBF] + bytes, false)
        case 6: return (Array(("[" + text + "]").utf8), false)
        case 7: return (Array((text + [" ", "\n", "x", "{}", "\u{0}"].randomElement(using: &random)!).utf8), false)
        default: return (bytes, false)
        }
    }

    func compare<T: Decodable & Equatable>(_ make: (inout SplitMix) -> String, seed: UInt64, reference: JSONDecoder, _: T.Type,
                                           ours: ([UInt8]) throws(JSONDocument.Failure) -> T) {
        var random = SplitMix(state: seed)
        var agreedAccepted = 0, agreedRefused = 0, stricter = 0
        for round in 0..<10_000 {
            let (bytes, mayBeStricter) = Self.mutate(make(&random), &random)
            let theirs = try? reference.decode(T.self, from: Data(bytes))
            let mine: Result<T, JSONDocument.Failure> = Result { () throws(JSONDocument.Failure) in try ours(bytes) }
            let shown = String(decoding: bytes.prefix(300), as: UTF8.self).debugDescription
            switch (mine, theirs) {
            case (.success(let value), let theirs?):
                #expect(value == theirs, "round \(round): \(shown)")
                agreedAccepted += 1
            case (.success, nil): Issue.record("round \(round): accepted what JSONDecoder refused: \(shown)")
            case (.failure(let failure), nil):
                #expect(!failure.description.isEmpty)
                agreedRefused += 1
            case (.failure(let failure), _?):
                // Also refused on purpose: a number JSONDecoder read exactly beyond what a Double holds.
                let huge = failure.description.contains("expected a whole number from 0 to 2^53 - 1")
                #expect(mayBeStricter || huge, "round \(round): refused (\(failure)) what JSONDecoder read: \(shown)")
                stricter += 1
            }
        }
        // Both outcomes well represented, so the comparison means something.
        #expect(agreedAccepted > 2000 && agreedRefused > 2000, "accepted \(agreedAccepted), refused \(agreedRefused), stricter \(stricter)")
    }

    @Test("10 000 generated snapshot manifests read as JSONDecoder read them, or refused on purpose")
    func manifestsMatchJSONDecoder() {
        let reference = JSONDecoder()
        reference.dateDecodingStrategy = ISO8601Time.decodingStrategy
        compare(Self.manifest, seed: 0x5EED_D0C1, reference: reference, SnapshotManifest.self, ours: SnapshotManifest.decode)
    }

    @Test("10 000 generated counter sample files read as JSONDecoder read them, or refused on purpose")
    func samplesMatchJSONDecoder() {
        compare(Self.samples, seed: 0x5EED_D0C2, reference: PreciseTime.decoder(), RecordedStatSamples.self, ours: RecordedStatSamples.decode)
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
