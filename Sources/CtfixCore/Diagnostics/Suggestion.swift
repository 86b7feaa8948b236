/// "Did you mean …?" for a mistyped subcommand or option: the candidate nearest by edit
/// distance (a transposed pair counts as one edit: `stauts` → `status`), or the one candidate a
/// word is an unambiguous prefix of (`val` → `validate`). Nothing when two candidates are equally
/// near, or the nearest is too far to be a typo: a wrong suggestion is worse than none.
public enum Suggestion {
    /// The candidate `word` most likely was meant to be, or nil.
    public static func closest(to word: String, among candidates: [String]) -> String? {
        let word = word.lowercased()
        guard !word.isEmpty, !candidates.contains(word) else { return nil }
        let bare = word.drop { $0 == "-" }
        if bare.count >= 2 {
            let prefixed = candidates.filter { $0.hasPrefix(word) && $0.count > word.count }
            if prefixed.count == 1 { return prefixed[0] }
        }
        // Dashes are not part of the typo budget: `--dryrun` is one edit from `--dry-run`.
        let limit = max(1, min(2, (bare.count + 1) / 3))
        var best: (candidate: String, distance: Int)?
        var tie = false
        for candidate in candidates {
            let distance = editDistance(word, candidate)
            guard distance <= limit else { continue }
            if let current = best, distance == current.distance {
                tie = true
            } else if best == nil || distance < best!.distance {
                best = (candidate, distance)
                tie = false
            }
        }
        return tie ? nil : best?.candidate
    }

    /// Optimal string alignment distance: insertions, deletions, substitutions and swaps of
    /// two adjacent characters each cost one. Two rows of the table at a time (words are short).
    public static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous2 = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], previous2[j - 2] + 1)
                }
            }
            (previous2, previous, current) = (previous, current, previous2)
        }
        return previous[b.count]
    }
}
