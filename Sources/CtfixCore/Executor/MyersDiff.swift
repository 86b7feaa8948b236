/// A shortest edit script between two line sequences in linear space: Myers' O((N+M)·D)
/// algorithm with the "middle snake" divide and conquer (Myers 1986, §4b). Lines are compared
/// as numbers (equal byte content, equal number), so a 10 000-line file costs a few hundred
/// kilobytes whatever the changes, where a longest-common-subsequence table costs N·M integers
/// (a 4000-line file needed about 128 MB, the DaemonSet's whole memory limit).
///
/// Not the standard library's `difference(from:)`: that one keeps every round's furthest
/// reaching paths to trace the script back, which grows with D² (a rewritten 10 000-line file
/// would need gigabytes).
enum MyersDiff {
    /// The edit script turning `a` into `b`: every line of both once, in order, as kept
    /// (`same`), removed (`delete`) or added (`insert`); as few deletions and insertions as possible.
    static func operations(_ a: [Int32], _ b: [Int32]) -> [UnifiedDiff.Operation] {
        var script = Script(a: a, b: b)
        script.ops.reserveCapacity(a.count + b.count)
        script.diff(aLow: 0, aHigh: a.count, bLow: 0, bHigh: b.count)
        return script.ops
    }

    /// Numbers the distinct lines of both sides by their bytes (not by `String` equality, which
    /// is Unicode canonical equivalence: a line rewritten from NFC to NFD must show as changed).
    /// A side's last line without a final newline differs from the same text with one.
    static func numbered(_ a: [Substring], _ b: [Substring], unterminated: (old: Bool, new: Bool) = (false, false)) -> ([Int32], [Int32]) {
        var ids: [[UInt8]: Int32] = [:]
        func number(_ line: Substring, open: Bool) -> Int32 {
            // 0xFF never occurs in UTF-8, so it cannot collide with a line's own bytes.
            let key = Array(line.utf8) + (open ? [0xFF] : [])
            if let id = ids[key] { return id }
            let id = Int32(ids.count)
            ids[key] = id
            return id
        }
        return (a.indices.map { number(a[$0], open: unterminated.old && $0 == a.count - 1) },
                b.indices.map { number(b[$0], open: unterminated.new && $0 == b.count - 1) })
    }

    private struct Script {
        let a: [Int32], b: [Int32]
        var ops: [UnifiedDiff.Operation] = []

        mutating func diff(aLow: Int, aHigh: Int, bLow: Int, bHigh: Int) {
            var aLow = aLow, bLow = bLow, aHigh = aHigh, bHigh = bHigh
            while aLow < aHigh, bLow < bHigh, a[aLow] == b[bLow] {
                ops.append(.init(kind: .same, oldIndex: aLow, newIndex: bLow)); aLow += 1; bLow += 1
            }
            var suffix = 0
            while aLow < aHigh, bLow < bHigh, a[aHigh - 1] == b[bHigh - 1] { aHigh -= 1; bHigh -= 1; suffix += 1 }
            if aLow == aHigh {
                for j in bLow..<bHigh { ops.append(.init(kind: .insert, oldIndex: aLow, newIndex: j)) }
            } else if bLow == bHigh {
                for i in aLow..<aHigh { ops.append(.init(kind: .delete, oldIndex: i, newIndex: bLow)) }
            } else if let (x, y) = middleSnake(aLow: aLow, aHigh: aHigh, bLow: bLow, bHigh: bHigh) {
                diff(aLow: aLow, aHigh: x, bLow: bLow, bHigh: y)
                diff(aLow: x, aHigh: aHigh, bLow: y, bHigh: bHigh)
            } else {
                for i in aLow..<aHigh { ops.append(.init(kind: .delete, oldIndex: i, newIndex: bLow)) }
                for j in bLow..<bHigh { ops.append(.init(kind: .insert, oldIndex: aHigh, newIndex: j)) }
            }
            for k in 0..<suffix { ops.append(.init(kind: .same, oldIndex: aHigh + k, newIndex: bHigh + k)) }
        }

        /// A point on a shortest edit path of `a[aLow..<aHigh]` → `b[bLow..<bHigh]` splitting it in
        /// two smaller problems (both sides are non-empty and differ in their first and last lines),
        /// or nil when the two sides have no line in common. Forward and backward searches advance
        /// one edit at a time until their furthest-reaching paths overlap; only the two current
        /// frontiers are kept (2·(N+M) integers).
        func middleSnake(aLow: Int, aHigh: Int, bLow: Int, bHigh: Int) -> (Int, Int)? {
            let n = aHigh - aLow, m = bHigh - bLow
            let maxD = (n + m + 1) / 2
            let offset = maxD, width = 2 * maxD + 2
            var forward = [Int](repeating: -1, count: width), backward = forward
            forward[offset + 1] = 0; backward[offset + 1] = 0
            let delta = n - m, front = delta & 1 != 0
            var k1Start = 0, k1End = 0, k2Start = 0, k2End = 0
            for d in 0..<maxD {
                for k1 in stride(from: -d + k1Start, through: d - k1End, by: 2) {
                    let index = offset + k1
                    var x = (k1 == -d || (k1 != d && forward[index - 1] < forward[index + 1])) ? forward[index + 1] : forward[index - 1] + 1
                    var y = x - k1
                    while x < n, y < m, a[aLow + x] == b[bLow + y] { x += 1; y += 1 }
                    forward[index] = x
                    if x > n { k1End += 2 } else if y > m { k1Start += 2 } else if front {
                        let other = offset + delta - k1
                        if other >= 0, other < width, backward[other] != -1, x >= n - backward[other] {
                            return (aLow + x, bLow + y)
                        }
                    }
                }
                for k2 in stride(from: -d + k2Start, through: d - k2End, by: 2) {
                    let index = offset + k2
                    var x = (k2 == -d || (k2 != d && backward[index - 1] < backward[index + 1])) ? backward[index + 1] : backward[index - 1] + 1
                    var y = x - k2
                    while x < n, y < m, a[aHigh - x - 1] == b[bHigh - y - 1] { x += 1; y += 1 }
                    backward[index] = x
                    if x > n { k2End += 2 } else if y > m { k2Start += 2 } else if !front {
                        let other = offset + delta - k2
                        if other >= 0, other < width, forward[other] != -1, forward[other] >= n - x {
                            let forwardX = forward[other]
                            return (aLow + forwardX, bLow + forwardX - (other - offset))
                        }
                    }
                }
            }
            return nil
        }
    }
}
