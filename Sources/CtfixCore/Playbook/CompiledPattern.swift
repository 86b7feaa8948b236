import Foundation

/// A playbook's regular expression, compiled once, plus the literal text every match must
/// contain. Log scans test that literal on raw bytes first and run the regex engine only on
/// the few lines that have it, which is what keeps a full scan near `grep -c` speed.
///
/// Two engines, chosen once here: ctfix's own linear-time Pike VM for the subset of ICU syntax
/// `RegexSubsetParser` accepts (NSRegularExpression is then never created: loading ICU's regex
/// engine was a tenth of a dry-run's CPU), ICU's for everything else and for every malformed
/// pattern, so meanings and error messages are ICU's either way.
///
/// Matching cost is bounded (see `CompiledPattern+Cost.swift`): patterns whose cost can
/// explode are refused here, and every match runs under a length limit and a CPU budget.
public final class CompiledPattern: @unchecked Sendable, CustomStringConvertible {
    public struct CompileError: Error {
        public var reason: String
        /// True when the pattern compiles but is refused by the cost rule.
        public var isCostRefusal = false
        public init(reason: String, isCostRefusal: Bool = false) {
            self.reason = reason
            self.isCostRefusal = isCostRefusal
        }
    }

    /// What one bounded match found.
    public enum MatchResult: Sendable, Equatable {
        case match
        case noMatch
        /// Not decided: the text is longer than `maximumMatchedBytes`, or the engine used up
        /// `matchBudget`. Callers treat it as "not matched" and say so.
        case overLimit
    }

    /// Which engine matches this pattern, chosen once at compile time.
    enum Engine {
        /// ctfix's own linear-time engine, for the subset `RegexSubsetParser` accepts: ICU's
        /// regex (and its start-up cost) is never loaded for it.
        case subset(RegexPikeVM)
        /// Everything else, and every malformed pattern (so ICU's error text is unchanged).
        case foundation(NSRegularExpression)
    }

    public let source: String
    let engine: Engine
    /// Bytes every matching line must contain; nil when the pattern has no such literal.
    public let requiredLiteral: [UInt8]?

    public convenience init(_ source: String) throws(CompileError) {
        if let problem = Self.costProblem(in: source) { throw CompileError(reason: problem, isCostRefusal: true) }
        try self.init(uncheckedSource: source, subset: true)
    }

    /// Compiles without the cost rule; `subset: false` forces ICU (the differential tests
    /// compare the engines on the same pattern).
    init(uncheckedSource source: String, subset: Bool) throws(CompileError) {
        if subset, let parsed = RegexSubsetParser.parse(source),
           let program = RegexProgram(parsed.node, captureCount: parsed.captureCount) {
            engine = .subset(RegexPikeVM(program: program))
        } else {
            do {
                engine = .foundation(try NSRegularExpression(pattern: source, options: []))
            } catch {
                let nsError = error as NSError
                let detail = (nsError.userInfo["NSInvalidValue"] as? String).map { "near '\($0)'" } ?? nsError.localizedDescription
                throw CompileError(reason: detail)
            }
        }
        self.source = source
        let literal = Self.requiredLiteral(of: source)
        self.requiredLiteral = literal.count >= 3 ? Array(literal.utf8) : nil
    }

    public var description: String { source }

    /// True when ctfix's own engine matches this pattern (ICU's regex was not created).
    var usesOwnEngine: Bool {
        if case .subset = engine { return true }
        return false
    }

    /// True when the pattern matches anywhere in `text` within the limits (`overLimit` is false).
    public func matches(_ text: String) -> Bool {
        test(text) == .match
    }

    /// Matches `text` within the limits: at most `maximumMatchedBytes` of text, at most
    /// `matchBudget` of engine time.
    public func test(_ text: String) -> MatchResult {
        switch boundedFirstMatch(in: text, need: .existence) {
        case .success(let found): found == nil ? .noMatch : .match
        case .failure: .overLimit
        }
    }

    /// The first match's text, or nil (also when over the limits).
    public func firstMatch(in text: String) -> String? {
        guard case .success(let ranges?) = boundedFirstMatch(in: text, need: .wholeMatch),
              let whole = ranges.first, let range = whole else { return nil }
        return String(text[range])
    }

    /// The capture groups of the first match (index 1…), nil where a group did not take part
    /// (and nil when there is no match or the limits were reached).
    public func captures(in text: String) -> [String?]? {
        guard case .success(let ranges?) = boundedFirstMatch(in: text, need: .groups) else { return nil }
        return ranges.dropFirst().map { range in range.map { String(text[$0]) } }
    }

    /// The longest run of plain characters that sits outside any group, class, alternation or
    /// optional element: text every match must contain. Conservative: returns "" whenever the
    /// pattern has a top-level `|`, inline flags, or anything it does not understand.
    static func requiredLiteral(of pattern: String) -> String {
        let chars = Array(pattern)
        var best = "", run = ""
        var depth = 0, index = 0
        var inClass = false
        func flush() { if run.count > best.count { best = run }; run = "" }
        func appendLiteral(_ c: Character, at next: Int) {
            // a quantifier after this char makes it optional: it is not required text
            if next < chars.count, "?*{".contains(chars[next]) { flush(); return }
            run.append(c)
        }
        while index < chars.count {
            let c = chars[index]
            if inClass {
                if c == "\\" { index += 2; continue }
                if c == "]" { inClass = false }
                index += 1
                continue
            }
            switch c {
            case "\\":
                guard index + 1 < chars.count else { return "" }
                let next = chars[index + 1]
                if depth == 0, ".^$|?*+()[]{}\\/-: ".contains(next) {
                    appendLiteral(next, at: index + 2)
                } else {
                    flush()
                }
                index += 2
                continue
            case "(":
                if depth == 0, index + 1 < chars.count, chars[index + 1] == "?",
                   index + 2 < chars.count, !":=!<".contains(chars[index + 2]) {
                    return "" // inline flags such as (?i) change what matches literally
                }
                flush(); depth += 1
            case ")":
                flush(); depth = max(0, depth - 1)
                if index + 1 < chars.count, "?*{".contains(chars[index + 1]) { /* optional group */ }
            case "[":
                flush(); inClass = true
            case "|":
                if depth == 0 { return "" }
            case ".", "^", "$", "+":
                flush()
            case "?", "*", "{":
                // the previous character was optional: it is not required
                if !run.isEmpty { run.removeLast() }
                flush()
                if c == "{" { while index < chars.count, chars[index] != "}" { index += 1 } }
            default:
                if depth == 0 { appendLiteral(c, at: index + 1) } else { flush() }
            }
            index += 1
        }
        flush()
        return best
    }
}
