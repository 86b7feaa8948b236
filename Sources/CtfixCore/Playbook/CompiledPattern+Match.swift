import Foundation

/// One bounded match, by whichever engine the pattern was given at compile time.
extension CompiledPattern {
    struct OverLimit: Error {}

    /// The first match within the limits as the ranges of group 0 (the whole match) and, for
    /// `.groups`, of every capture group (nil: the group did not take part); nil: no match.
    /// For `.existence` the ranges are not meaningful.
    func boundedFirstMatch(in text: String, need: RegexPikeVM.Need) -> Result<[Range<String.Index>?]?, OverLimit> {
        guard text.utf8.count <= Self.maximumMatchedBytes else { return .failure(OverLimit()) }
        switch engine {
        case .subset(let machine): return subsetMatch(machine, in: text, need: need)
        case .foundation(let regex): return foundationMatch(regex, in: text)
        }
    }

    private static var budgetNanoseconds: Int64 {
        let budget = matchBudget.components
        return budget.seconds * 1_000_000_000 + budget.attoseconds / 1_000_000_000
    }

    /// The Pike VM is linear in the text, so the CPU clock (a system call) is read only for
    /// texts long enough to need it, every `RegexPikeVM.budgetInterval` scalars.
    private func subsetMatch(_ machine: RegexPikeVM, in text: String, need: RegexPikeVM.Need) -> Result<[Range<String.Index>?]?, OverLimit> {
        let scalars = Array(text.unicodeScalars)
        let deadline = scalars.count > RegexPikeVM.budgetInterval ? Self.threadCPUNanoseconds() + Self.budgetNanoseconds : Int64.max
        let outcome = machine.firstMatch(in: scalars, need: need) { Self.threadCPUNanoseconds() > deadline }
        switch outcome {
        case .overLimit: return .failure(OverLimit())
        case .noMatch: return .success(nil)
        case .match(let slots):
            let view = text.unicodeScalars
            var ranges: [Range<String.Index>?] = []
            for group in stride(from: 0, to: slots.count, by: 2) {
                let (start, end) = (slots[group], slots[group + 1])
                guard start >= 0, end >= start else { ranges.append(nil); continue }
                let lower = view.index(view.startIndex, offsetBy: start)
                ranges.append(lower..<view.index(lower, offsetBy: end - start))
            }
            return .success(ranges)
        }
    }

    private func foundationMatch(_ regex: NSRegularExpression, in text: String) -> Result<[Range<String.Index>?]?, OverLimit> {
        let deadline = Self.threadCPUNanoseconds() + Self.budgetNanoseconds
        var found: NSTextCheckingResult?
        var over = false
        var callbacks = 0
        // With `.reportProgress` ICU calls back once per start position and every ~10 000
        // steps inside one attempt; the CPU clock is read every 16th call (a few ms at most).
        regex.enumerateMatches(in: text, options: [.reportProgress], range: NSRange(text.startIndex..., in: text)) { result, _, stop in
            if let result {
                found = result
                stop.pointee = true
                return
            }
            callbacks += 1
            if callbacks & 15 == 0, Self.threadCPUNanoseconds() > deadline {
                over = true
                stop.pointee = true
            }
        }
        if over { return .failure(OverLimit()) }
        guard let found else { return .success(nil) }
        // UTF-16 offsets to indices directly: `Range(_:in:)` gives nil for a range that splits a
        // grapheme cluster (`\n` of a CR LF, `e` without its combining accent), but ICU, like
        // ctfix's own engine, matches scalars, and the match is real.
        let utf16 = text.utf16
        return .success((0..<max(found.numberOfRanges, 1)).map { group in
            let range = found.range(at: group)
            guard range.location != NSNotFound else { return nil }
            let lower = utf16.index(utf16.startIndex, offsetBy: range.location)
            return lower..<utf16.index(lower, offsetBy: range.length)
        })
    }
}

extension CompiledPattern {
    /// What `text.range(of: pattern, options: .regularExpression) != nil` answers, by ctfix's
    /// own engine when `pattern` is in its subset: the differential tests' way to run a pattern
    /// on the engine without a playbook (the parsers' fixed name rules are byte rules,
    /// `NameRule`). For ctfix's own patterns, never a user's: no cost rule, no length limit.
    static func ownPatternMatches(_ pattern: String, _ text: String) -> Bool {
        guard let parsed = RegexSubsetParser.parse(pattern), let program = RegexProgram(parsed.node, captureCount: parsed.captureCount) else {
            return text.range(of: pattern, options: .regularExpression) != nil
        }
        if case .match = RegexPikeVM(program: program).firstMatch(in: Array(text.unicodeScalars), need: .existence, overBudget: { false }) {
            return true
        }
        return false
    }
}
