import Testing
@testable import CtfixCore

/// The linear-space diff against generated files: the shown diff must turn the old file into
/// exactly the new one (a plan never hides or invents a line), with as few changed lines as the
/// quadratic LCS table it replaced, and the same text as that table where the edit is unambiguous.
@Suite struct UnifiedDiffPropertyTests {
    typealias Random = LogByteSearchTests.SplitMix

    /// Lines from a small alphabet, so equal lines (and ambiguous alignments) are common.
    static func file(_ random: inout Random, maximumLines: Int, alphabet: [String]) -> String {
        let count = Int(random.next() % UInt64(maximumLines + 1))
        return (0..<count).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] + "\n" }.joined()
    }

    @Test(arguments: [0, 1, 3])
    func randomFilesPatchBackWithAShortestScript(context: Int) throws {
        var random = Random(state: 0x6469_6666 + UInt64(context))
        for _ in 0..<1500 {
            let old = Self.file(&random, maximumLines: 14, alphabet: ["a", "b", "c", "", "d d"])
            let new = Self.file(&random, maximumLines: 14, alphabet: ["a", "b", "c", "", "e"])
            let diff = UnifiedDiff.make(old: old, new: new, path: "/etc/x", context: context)
            let a = UnifiedDiff.lines(old), b = UnifiedDiff.lines(new)
            #expect(try Self.apply(diff, to: a, context: context) == b, "old \(a) new \(b)\n\(diff)")
            let oracle = LCSDiffOracle.operations(a, b), ours = UnifiedDiff.operations(a, b)
            #expect(ours.filter { $0.kind != .same }.count == oracle.filter { $0.kind != .same }.count, "old \(a) new \(b)")
        }
    }

    /// Unique lines with some deleted, some replaced and new ones inserted, without reordering:
    /// there is one shortest alignment, so the text must be the old implementation's, byte for byte.
    @Test func unambiguousEditsGiveTheOldImplementationsText() throws {
        var random = Random(state: 0x6374_6669_7831)
        for round in 0..<400 {
            let a = (0..<Int(random.next() % 60)).map { "key\($0) = \(round)" }
            var b: [String] = []
            for (index, line) in a.enumerated() {
                switch random.next() % 8 {
                case 0: continue
                case 1: b.append("new\(index)")
                case 2: b.append(contentsOf: [line, "added\(index)a", "added\(index)b"])
                default: b.append(line)
                }
            }
            if random.next() % 3 == 0 { b.insert("first", at: 0) }
            let old = a.map { $0 + "\n" }.joined(), new = b.map { $0 + "\n" }.joined()
            for context in [0, 3] {
                let diff = UnifiedDiff.make(old: old, new: new, path: "/etc/x", context: context)
                #expect(diff == Self.render(LCSDiffOracle.operations(a, b), a, b, old: old, new: new, context: context), "round \(round)")
                #expect(try Self.apply(diff, to: a, context: context) == b)
            }
        }
    }

    /// `String` equality is Unicode canonical equivalence: "é" precomposed and decomposed are
    /// equal strings but different bytes. A plan must show such a rewrite, not an empty diff.
    @Test func aLineRewrittenInAnotherUnicodeFormIsShown() {
        let old = "name = caf\u{E9}\n", new = "name = cafe\u{301}\n"
        #expect(old == new)
        let diff = UnifiedDiff.make(old: old, new: new, path: "/etc/x")
        #expect(diff.contains("-name = caf\u{E9}\n"))
        #expect(diff.contains("+name = cafe\u{301}\n"))
    }

    /// A 10 000-line file (beyond the old 4000-line summary limit) edited in several places, and
    /// a file rewritten on every line (the algorithm's worst case; 2000 lines keep the debug
    /// build's test short, `ctfix-bench diff` times 10 000): diffed, and the diff reproduces the new file.
    @Test(arguments: [(10_000, false), (2000, true)])
    func largeFilesAreDiffed(lines: Int, rewriteEveryLine: Bool) throws {
        let a = (0..<lines).map { "option_\($0) = \($0 % 7)" }
        var b = a
        if rewriteEveryLine {
            b = a.map { $0 + " # rewritten" }
        } else {
            for index in stride(from: 17, to: lines, by: 997) { b[index] = "option_\(index) = changed" }
            b.insert("inserted = 1", at: 5000)
            b.removeSubrange(8000..<8010)
        }
        let diff = UnifiedDiff.make(old: a.map { $0 + "\n" }.joined(), new: b.map { $0 + "\n" }.joined(), path: "/etc/big")
        #expect(!diff.contains("too long to show"))
        #expect(try Self.apply(diff, to: a, context: 3) == b)
    }

    /// Adding or removing only the final newline changes the file: the plan must show it, as
    /// `diff -u` does, not an empty diff that reads as "no change".
    @Test func theFinalNewlineAloneIsAVisibleChange() throws {
        #expect(UnifiedDiff.make(old: "a\nx = 1", new: "a\nx = 1\n", path: "/etc/x")
            == "--- a/etc/x\n+++ b/etc/x\n@@ -1,2 +1,2 @@\n a\n-x = 1\n\\ No newline at end of file\n+x = 1\n")
        #expect(UnifiedDiff.make(old: "x = 1\n", new: "x = 1", path: "/etc/x")
            == "--- a/etc/x\n+++ b/etc/x\n@@ -1,1 +1,1 @@\n-x = 1\n+x = 1\n\\ No newline at end of file\n")
        // Unchanged but unterminated on both sides: context, marked once.
        let diff = UnifiedDiff.make(old: "a\nb", new: "A\nb", path: "/etc/x")
        #expect(diff.hasSuffix("-a\n+A\n b\n\\ No newline at end of file\n"))
        #expect(try Self.apply(diff, to: ["a", "b"], context: 3) == ["A", "b"])
        #expect(UnifiedDiff.make(old: "a\nb", new: "a\nb", path: "/etc/x").isEmpty)
    }

    /// Beyond `maximumLines` the plan says how long the file is instead of diffing it.
    @Test func filesBeyondTheLimitAreSummarised() {
        let old = String(repeating: "x\n", count: UnifiedDiff.maximumLines + 1)
        #expect(UnifiedDiff.make(old: old, new: "x\n", path: "/etc/huge").hasSuffix("@@ (\(UnifiedDiff.maximumLines + 1) → 1 lines; too long to show) @@\n"))
    }

    /// The hunks of `ops` as `UnifiedDiff.make` prints them (to compare the oracle's script).
    static func render(_ ops: [UnifiedDiff.Operation], _ a: [String], _ b: [String], old: String, new: String, context: Int) -> String {
        guard ops.contains(where: { $0.kind != .same }) else { return "" }
        var out = "--- a/etc/x\n+++ b/etc/x\n"
        var index = 0
        while index < ops.count {
            guard let firstChange = ops[index...].firstIndex(where: { $0.kind != .same }) else { break }
            let start = max(index, firstChange - context)
            var end = firstChange, cursor = firstChange
            while cursor < ops.count {
                if ops[cursor].kind != .same { end = cursor; cursor += 1; continue }
                let next = ops[cursor...].firstIndex { $0.kind != .same }
                if let next, next - end <= 2 * context { cursor = next } else { break }
            }
            let stop = min(ops.count, end + context + 1)
            let hunk = ops[start..<stop]
            let oldStart = (hunk.first { $0.kind != .insert }?.oldIndex ?? (hunk.first?.oldIndex ?? 0)) + 1
            let newStart = (hunk.first { $0.kind != .delete }?.newIndex ?? (hunk.first?.newIndex ?? 0)) + 1
            let oldCount = hunk.filter { $0.kind != .insert }.count, newCount = hunk.filter { $0.kind != .delete }.count
            out += "@@ -\(oldCount == 0 ? oldStart - 1 : oldStart),\(oldCount) +\(newCount == 0 ? newStart - 1 : newStart),\(newCount) @@\n"
            for op in hunk {
                switch op.kind {
                case .same: out += " \(a[op.oldIndex])\n"
                case .delete: out += "-\(a[op.oldIndex])\n"
                case .insert: out += "+\(b[op.newIndex])\n"
                }
            }
            index = stop
        }
        return out
    }

    struct PatchError: Error, CustomStringConvertible { var description: String }

    /// Applies a unified diff as `patch` would, checking every header count, every context and
    /// removed line against the old file, and at most `context` lines of context at a hunk's ends.
    static func apply(_ diff: String, to old: [String], context: Int) throws -> [String] {
        guard !diff.isEmpty else { return old }
        var lines = diff.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.removeLast() == "", lines.count >= 2, lines[0].hasPrefix("--- "), lines[1].hasPrefix("+++ ") else {
            throw PatchError(description: "bad headers")
        }
        var result: [String] = [], oldPosition = 0, index = 2
        while index < lines.count {
            let header = lines[index].split(separator: " ")
            guard header.count == 4, header[0] == "@@", header[3] == "@@" else { throw PatchError(description: "bad hunk header \(lines[index])") }
            let oldRange = header[1].dropFirst().split(separator: ",").compactMap { Int($0) }
            let newRange = header[2].dropFirst().split(separator: ",").compactMap { Int($0) }
            guard oldRange.count == 2, newRange.count == 2 else { throw PatchError(description: "bad ranges \(lines[index])") }
            let hunkOldStart = oldRange[1] == 0 ? oldRange[0] : oldRange[0] - 1
            guard hunkOldStart >= oldPosition else { throw PatchError(description: "overlapping hunk \(lines[index])") }
            result += old[oldPosition..<hunkOldStart]
            guard newRange[1] == 0 ? newRange[0] == result.count : newRange[0] - 1 == result.count else {
                throw PatchError(description: "new start \(lines[index]) but \(result.count) lines so far")
            }
            oldPosition = hunkOldStart
            index += 1
            var oldSeen = 0, newSeen = 0, body: [Character] = []
            while index < lines.count, !lines[index].hasPrefix("@@") {
                let line = lines[index], text = String(line.dropFirst())
                if line == "\\ No newline at end of file" { index += 1; continue }
                guard let mark = line.first else { throw PatchError(description: "empty line in hunk") }
                body.append(mark)
                switch mark {
                case " ", "-":
                    guard oldPosition < old.count, old[oldPosition].utf8.elementsEqual(text.utf8) else { throw PatchError(description: "mismatch at old line \(oldPosition + 1)") }
                    oldPosition += 1; oldSeen += 1
                    if mark == " " { result.append(text); newSeen += 1 }
                case "+": result.append(text); newSeen += 1
                default: throw PatchError(description: "bad line \(line)")
                }
                index += 1
            }
            guard oldSeen == oldRange[1], newSeen == newRange[1] else { throw PatchError(description: "counts differ from \(header)") }
            guard body.contains(where: { $0 != " " }),
                  body.prefix(while: { $0 == " " }).count <= context, body.reversed().prefix(while: { $0 == " " }).count <= context
            else { throw PatchError(description: "hunk context wrong: \(String(body))") }
        }
        return result + old[oldPosition...]
    }
}
