import Testing
@testable import CtfixCore

/// The raw-byte primitives under the scanner, checked against plain Swift on many random
/// buffers (including the portable fallbacks used where the C library lacks memmem/memrchr).
@Suite struct LogByteSearchTests {
    /// A deterministic generator (SplitMix64), so a failure can be reproduced; the window-order
    /// tests use it too.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Bytes from a small alphabet so needles and newlines occur often.
    static func buffer(_ count: Int, _ random: inout SplitMix) -> [UInt8] {
        let alphabet = Array("ab\nc ".utf8)
        return (0..<count).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }
    }

    static func naiveFind(_ needle: [UInt8], _ haystack: [UInt8], from: Int, to end: Int) -> Int? {
        guard end - from >= needle.count else { return nil }
        for start in from...(end - needle.count) where Array(haystack[start..<start + needle.count]) == needle { return start }
        return nil
    }

    @Test func searchesAgreeWithNaiveSwift() {
        var random = SplitMix(state: 42)
        for round in 0..<300 {
            let haystack = Self.buffer(Int(random.next() % 300), &random)
            let needle = Self.buffer(1 + Int(random.next() % 4), &random)
            let from = haystack.isEmpty ? 0 : Int(random.next() % UInt64(haystack.count))
            let end = haystack.count
            haystack.withUnsafeBufferPointer { buffer in
                guard let base = buffer.baseAddress else { return }
                let expected = Self.naiveFind(needle, haystack, from: from, to: end)
                #expect(ByteSearch.find(needle, in: base, from: from, to: end) == expected, "round \(round)")
                let portable = needle.withUnsafeBufferPointer { ByteSearch.portableFind($0, in: base, from: from, to: end) }
                #expect(portable == expected, "round \(round)")
                let newline = UInt8(ascii: "\n")
                let lastNewline = haystack[from..<end].lastIndex(of: newline)
                #expect(ByteSearch.lastIndex(of: newline, in: base, from: from, to: end) == lastNewline)
                #expect(ByteSearch.portableLastIndex(of: newline, in: base, from: from, to: end) == lastNewline)
                #expect(ByteSearch.firstIndex(of: newline, in: base, from: from, to: end) == haystack[from..<end].firstIndex(of: newline))
                #expect(ByteSearch.countNewlines(in: base, from: from, to: end) == haystack[from..<end].filter { $0 == newline }.count)
            }
        }
    }

    @Test func newlineCountingSurvivesLongRunsOfNewlines() {
        // More than 255 blocks of 32 newlines: the per-lane byte counters must be flushed.
        let newlines = [UInt8](repeating: UInt8(ascii: "\n"), count: 32 * 600 + 7)
        let count = newlines.withUnsafeBufferPointer { ByteSearch.countNewlines(in: $0.baseAddress!, from: 0, to: $0.count) }
        #expect(count == newlines.count)
    }
}
