/// The lines of one log source that a pattern could not decide (`CompiledPattern.MatchResult
/// .overLimit`: too long, or out of CPU budget). They count as not matched, are reported, and
/// after `CompiledPattern.maximumUndecidedLines` the rest of the source is no longer given to
/// the engine, so a hostile log costs a bounded time per check whatever its size.
struct UndecidedLines {
    private(set) var count = 0

    /// True once the source has used up its undecided lines: stop matching.
    var isExhausted: Bool { count >= CompiledPattern.maximumUndecidedLines }

    /// Matches `text`; an undecided line is counted and answers false.
    mutating func matches(_ pattern: CompiledPattern, _ text: String) -> Bool {
        guard !isExhausted else { return false }
        switch pattern.test(text) {
        case .match: return true
        case .noMatch: return false
        case .overLimit:
            count += 1
            return false
        }
    }

    /// The note for the source's report, nil when every line was decided.
    var note: String? {
        guard count > 0 else { return nil }
        let rest = isExhausted ? "; the rest of the source was not matched" : ""
        return "\(count) line\(count == 1 ? "" : "s") beyond the pattern limits (\(CompiledPattern.limitsText)) not matched\(rest)"
    }
}
