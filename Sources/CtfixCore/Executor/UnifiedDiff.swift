/// Unified diffs (`diff -u` format) of config files, shown in plans so a reviewer sees exactly
/// which lines a run will change. The edit script takes linear space (`MyersDiff`), so a large
/// file costs memory in proportion to its size, never to the square of it.
public enum UnifiedDiff {
    /// Files longer than this (in lines) are summarised instead of diffed. Memory is linear in
    /// the lines; time grows with lines × changed lines: a 10 000-line file rewritten on every
    /// line, the worst case, takes about a second (docs/benchmarks.md, `ctfix-bench diff`).
    public static let maximumLines = 10_000

    public static func make(old: String?, new: String?, path: String, context: Int = 3) -> String {
        let a = lines(old), b = lines(new)
        let header = "--- \(old == nil ? "/dev/null" : "a" + path)\n+++ \(new == nil ? "/dev/null" : "b" + path)\n"
        guard a.count <= maximumLines, b.count <= maximumLines else {
            return header + "@@ (\(a.count) → \(b.count) lines; too long to show) @@\n"
        }
        // A file whose last line has no newline is shown as `diff -u` shows it, so adding or
        // removing only that newline is a visible change, not an empty diff.
        let open = (old: old.map { !$0.isEmpty && $0.utf8.last != 0x0A } ?? false,
                    new: new.map { !$0.isEmpty && $0.utf8.last != 0x0A } ?? false)
        let ops = operations(a, b, unterminated: open)
        guard ops.contains(where: { $0.kind != .same }) else { return "" }
        let noNewline = "\\ No newline at end of file\n"
        var out = header
        var index = 0
        while index < ops.count {
            guard let firstChange = ops[index...].firstIndex(where: { $0.kind != .same }) else { break }
            let start = max(index, firstChange - context)
            var end = firstChange
            // extend the hunk while changes are within 2 × context of each other
            var cursor = firstChange
            while cursor < ops.count {
                if ops[cursor].kind != .same { end = cursor; cursor += 1; continue }
                let nextChange = ops[cursor...].firstIndex { $0.kind != .same }
                if let nextChange, nextChange - end <= 2 * context { cursor = nextChange } else { break }
            }
            let stop = min(ops.count, end + context + 1)
            let hunk = ops[start..<stop]
            let oldStart = (hunk.first { $0.kind != .insert }?.oldIndex ?? (hunk.first?.oldIndex ?? 0)) + 1
            let newStart = (hunk.first { $0.kind != .delete }?.newIndex ?? (hunk.first?.newIndex ?? 0)) + 1
            let oldCount = hunk.filter { $0.kind != .insert }.count
            let newCount = hunk.filter { $0.kind != .delete }.count
            out += "@@ -\(oldCount == 0 ? oldStart - 1 : oldStart),\(oldCount) +\(newCount == 0 ? newStart - 1 : newStart),\(newCount) @@\n"
            for op in hunk {
                switch op.kind {
                case .same: out += " \(a[op.oldIndex])\n" + (open.old && op.oldIndex == a.count - 1 ? noNewline : "")
                case .delete: out += "-\(a[op.oldIndex])\n" + (open.old && op.oldIndex == a.count - 1 ? noNewline : "")
                case .insert: out += "+\(b[op.newIndex])\n" + (open.new && op.newIndex == b.count - 1 ? noNewline : "")
                }
            }
            index = stop
        }
        return out
    }

    struct Operation {
        enum Kind { case same, delete, insert }
        var kind: Kind
        var oldIndex: Int
        var newIndex: Int
    }

    static func lines(_ text: String?) -> [String] {
        guard let text, !text.isEmpty else { return [] }
        var result = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if result.last == "" { result.removeLast() }
        return result
    }

    /// The line-by-line edit script (linear space, `MyersDiff`), each run of changes written as
    /// its removed lines, then its added lines, as `diff -u` shows them.
    static func operations(_ a: [String], _ b: [String], unterminated: (old: Bool, new: Bool) = (false, false)) -> [Operation] {
        let (left, right) = MyersDiff.numbered(a.map { $0[...] }, b.map { $0[...] }, unterminated: unterminated)
        var ops = MyersDiff.operations(left, right)
        var runStart = 0
        while runStart < ops.count {
            guard ops[runStart].kind != .same else { runStart += 1; continue }
            var runEnd = runStart
            while runEnd < ops.count, ops[runEnd].kind != .same { runEnd += 1 }
            let run = ops[runStart..<runEnd]
            // Every line is still shown once and in order on each side; only the interleaving changes.
            let deletes = run.filter { $0.kind == .delete }
            let oldEnd = deletes.last.map { $0.oldIndex + 1 } ?? run[runStart].oldIndex
            let inserts = run.filter { $0.kind == .insert }.map { Operation(kind: .insert, oldIndex: oldEnd, newIndex: $0.newIndex) }
            ops.replaceSubrange(runStart..<runEnd, with: deletes + inserts)
            runStart = runEnd
        }
        return ops
    }
}
