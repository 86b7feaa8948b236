@testable import CtfixCore

/// The edit script of the quadratic longest-common-subsequence table `UnifiedDiff` used before
/// `MyersDiff` (N·M integers: 128 MB for 4000 lines), kept as the oracle of the property tests:
/// a shortest script, and on files whose lines are unique, the only one.
enum LCSDiffOracle {
    static func operations(_ a: [String], _ b: [String]) -> [UnifiedDiff.Operation] {
        let n = a.count, m = b.count
        var table = [[Int]](repeating: [Int](repeating: 0, count: m + 1), count: n + 1)
        if n > 0 && m > 0 {
            for i in stride(from: n - 1, through: 0, by: -1) {
                for j in stride(from: m - 1, through: 0, by: -1) {
                    table[i][j] = a[i].utf8.elementsEqual(b[j].utf8) ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
                }
            }
        }
        var ops: [UnifiedDiff.Operation] = []
        var i = 0, j = 0
        while i < n || j < m {
            if i < n, j < m, a[i].utf8.elementsEqual(b[j].utf8) {
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
