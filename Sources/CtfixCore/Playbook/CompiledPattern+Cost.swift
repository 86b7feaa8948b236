import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The cost rule for playbook regular expressions. Patterns outside ctfix's own linear-time
/// subset (`RegexSubsetParser`) are matched by ICU's backtracking engine
/// (NSRegularExpression), whose time on a hostile line can grow exponentially with the line's
/// length when a repeated group can itself match in many ways: `(a+)+$` against 5000 `a`s and
/// a `b` ran for more than 30 s. The rule applies to every pattern, whichever engine matches it,
/// so a pattern is accepted or refused the same way. Three limits make every match finish in
/// bounded time:
///
/// 1. Refused when the playbook is loaded (`validate`, `check`, `run`, `watch` all load first),
///    reported at the pattern's `file:line:col`:
///    - a group holding an unbounded quantifier (`*`, `+`, `{n,}`) that is itself repeated
///      without bound or more than `maximumNestedRepeat` times: `(a+)+`, `(a*)*`,
///      `(\w+\s?)+$`, `(.*a){20}`;
///    - a repeated group with two identical alternatives: `(a|a)*`;
///    - backreferences (`\1`…`\9`, `\k<name>`): no engine matches them in bounded time;
///    - patterns longer than `maximumPatternLength` characters.
/// 2. Text longer than `maximumMatchedBytes` is not matched (`MatchResult.overLimit`).
/// 3. Each match gets at most `matchBudget` of the thread's CPU time; ICU's progress
///    callback, or the Pike VM every `RegexPikeVM.budgetInterval` scalars, stops it there
///    (`MatchResult.overLimit`). This is what bounds ICU patterns the analyser cannot see
///    through (`(a|aa)+\z`, lookarounds); the Pike VM decides `(a|aa)+$` in linear time.
///
/// Callers never take `overLimit` for a match: a log scan counts the line as not matched and
/// says so, `file_edit` refuses its plan. `Benchmarks/ctfix-bench regex` measures the costs.
extension CompiledPattern {
    /// Bytes of text a pattern is matched against; a longer line is `overLimit`. Kernel
    /// records are at most 8 KiB (`/dev/kmsg`, escapes included).
    public static let maximumMatchedBytes = 8192
    /// CPU time one match may use before it is abandoned.
    public static let matchBudget: Duration = .milliseconds(50)
    /// The longest pattern accepted, in characters.
    public static let maximumPatternLength = 4096
    /// The largest `{n,m}` upper bound allowed on a group that holds an unbounded quantifier.
    static let maximumNestedRepeat = 16


    /// CPU time this thread has used: a match descheduled on a busy host is not charged for
    /// the wait.
    static func threadCPUNanoseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }

    /// Why `pattern` is refused by the cost rule, naming the construct and a rewrite; nil
    /// when it is accepted. Offsets are characters from the pattern's start (1-based).
    static func costProblem(in pattern: String) -> String? {
        let chars = Array(pattern)
        if chars.count > maximumPatternLength {
            return "the pattern is \(chars.count) characters long; at most \(maximumPatternLength) are accepted"
        }
        struct Group { var start: Int; var hasUnbounded = false; var alternatives: [Int] = [] }
        var stack = [Group(start: -1)]
        var index = 0
        func quantifier(at position: Int) -> (maximum: Int?, length: Int)? {
            guard position < chars.count else { return nil }
            switch chars[position] {
            case "*", "+": return (nil, 1)
            case "?": return (1, 1)
            case "{":
                guard let close = chars[position...].firstIndex(of: "}") else { return nil }
                let parts = String(chars[(position + 1)..<close]).split(separator: ",", omittingEmptySubsequences: false)
                guard parts.count <= 2, let low = parts.first.flatMap({ Int($0) }) else { return nil }
                if parts.count == 1 { return (low, close - position + 1) }
                return (parts[1].isEmpty ? nil : Int(parts[1]) ?? low, close - position + 1)
            default: return nil
            }
        }
        while index < chars.count {
            switch chars[index] {
            case "\\":
                guard index + 1 < chars.count else { return nil }
                let next = chars[index + 1]
                if next == "Q" {
                    var end = index + 2
                    while end + 1 < chars.count, !(chars[end] == "\\" && chars[end + 1] == "E") { end += 1 }
                    index = end + 2
                    continue
                }
                if ("1"..."9").contains(next) || (next == "k" && index + 2 < chars.count && chars[index + 2] == "<") {
                    return "backreference `\\\(next)` at character \(index + 1): matching a backreference can take "
                        + "exponential time on a long line, so ctfix does not accept them; match the text itself instead"
                }
                index += 2
            case "[":
                var end = index + 1
                if end < chars.count, chars[end] == "^" { end += 1 }
                if end < chars.count, chars[end] == "]" { end += 1 }
                var depth = 1
                while end < chars.count, depth > 0 {
                    if chars[end] == "\\" { end += 2; continue }
                    if chars[end] == "[" { depth += 1 }
                    if chars[end] == "]" { depth -= 1 }
                    end += 1
                }
                index = end
            case "(":
                stack.append(Group(start: index))
                index += 1
                continue
            case "|":
                stack[stack.count - 1].alternatives.append(index)
                index += 1
                continue
            case ")":
                guard stack.count > 1 else { index += 1; continue }
                let group = stack.removeLast()
                index += 1
                let repeated = quantifier(at: index)
                let unboundedRepeat = repeated.map { $0.maximum == nil } ?? false
                let manyRepeat = repeated.map { $0.maximum.map { $0 > maximumNestedRepeat } ?? true } ?? false
                let text = String(chars[group.start..<index]) + (repeated.map { String(chars[index..<(index + $0.length)]) } ?? "")
                if group.hasUnbounded, manyRepeat {
                    return "nested unbounded quantifier `\(text)` at character \(group.start + 1): a repeated group that "
                        + "itself holds `*`, `+` or `{n,}` can take exponential time on a long line; rewrite it without "
                        + "the outer repetition (`(a+)+` → `a+`, `(\\w+\\s?)+$` → `[\\w\\s]+$`)"
                }
                if unboundedRepeat, !group.alternatives.isEmpty {
                    var bodies: [String] = []
                    var from = group.start + 1
                    for bar in group.alternatives + [index - 1] {
                        bodies.append(String(chars[from..<bar]))
                        from = bar + 1
                    }
                    if Set(bodies).count < bodies.count {
                        return "repeated group `\(text)` at character \(group.start + 1) has identical alternatives: "
                            + "it can take exponential time on a long line; remove the duplicate alternative"
                    }
                }
                if let repeated { index += repeated.length }
                if group.hasUnbounded || unboundedRepeat { stack[stack.count - 1].hasUnbounded = true }
                continue
            default:
                index += 1
            }
            // after an atom (escape, class, plain character): a quantifier on it
            if let repeated = quantifier(at: index) {
                if repeated.maximum == nil { stack[stack.count - 1].hasUnbounded = true }
                index += repeated.length
            }
        }
        return nil
    }
}

extension CompiledPattern {
    /// Lines of one source (a log, a file) given up as `overLimit` before the rest of that
    /// source is no longer matched: a hostile log costs at most this many budgets per check.
    public static let maximumUndecidedLines = 8

    /// The limits in words, for messages.
    public static var limitsText: String {
        "lines up to \(maximumMatchedBytes) bytes, \(matchBudget.components.attoseconds / 1_000_000_000_000_000 + matchBudget.components.seconds * 1000) ms of matching per line"
    }
}
