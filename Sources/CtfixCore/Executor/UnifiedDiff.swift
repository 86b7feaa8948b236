/// Unified diffs (`diff -u` format) of config files, shown in plans so a reviewer sees exactly
/// which lines a run will change. Config files are small: a plain LCS table is enough.
public enum UnifiedDiff {
    /// Files longer than this (in lines) are summarised instead of diffed.
    public static let maximumLines = 4000

    public static func make(old: String?, new: String?, path: String, context: Int = 3) -> String {
        let a = lines(old), b = lines(new)
        let header = "--- \(old == nil ? "/dev/null" : "a" + path)\n+++ \(new == nil ? "/dev/null" : "b" + path)\n"
        guard a.count <= maximumLines, b.count <= maximumLines else {
            return header + "@@ (\(a.count) → \(b.count) lines; too long to show) @@\n"
        }
        let ops = operations(a, b)
        guard ops.contains(where: { $0.kind != .same }) else { return "" }
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
                case .same: out += " \(a[op.oldIndex])\n"
                case .delete: out += "-\(a[op.oldIndex])\n"
                case .insert: out += "+\(b[op.newIndex])\n"
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

    static func operations(_ a: [String], _ b: [String]) -> [Operation] {
        let n = a.count, m = b.count
        var table = [[Int]](repeating: [Int](repeating: 0, count: m + 1), count: n + 1)
        if n > 0 && m > 0 {
            for i in stride(from: n - 1, through: 0, by: -1) {
                for j in stride(from: m - 1, through: 0, by: -1) {
                    table[i][j] = a[i] == b[j] ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
                }
            }
        }
        var ops: [Operation] = []
        var i = 0, j = 0
        while i < n || j < m {
            if i < n, j < m, a[i] == b[j] {
                ops.append(.init(kind: .same, oldIndex: i, newIndex: j)); i += 1; j += 1
            } else if i < n, j == m || table[i + 1][j] >= table[i][j + 1] {
                ops.append(.init(kind: .delete, oldIndex: i, newIndex: j)); i += 1
            } else {
                ops.append(.init(kind: .insert, oldIndex: i, newIndex: j)); j += 1
            }
        }
        return ops
    }
}
