/// A parsed pattern of the subset ctfix matches itself (`RegexSubsetParser`). Kept separate
/// from the program (`RegexProgram`) so the parser can answer "not in the subset" before any
/// instruction is built.
indirect enum RegexNode: Sendable {
    case empty
    case scalar(Unicode.Scalar)
    case set(RegexScalarSet)
    /// `.`: any scalar but ICU's line terminators.
    case dot
    /// `^` without multiline: the start of the text.
    case start
    /// `$` without multiline: the end, or before a final line terminator.
    case end
    /// `( )` (capture `index`, 1-based) or `(?: )` (nil).
    case group(RegexNode, capture: Int?)
    case concat([RegexNode])
    case alternation([RegexNode])
    /// `? * + {m} {m,} {m,n}` (max nil: unbounded), greedy or lazy.
    case repetition(RegexNode, min: Int, max: Int?, greedy: Bool)

    /// True when the node can match the empty string. The subset refuses a loop around such a
    /// node: a backtracking engine and a Pike VM end empty iterations differently, so their
    /// captures could differ.
    var isNullable: Bool {
        switch self {
        case .empty, .start, .end: true
        case .scalar, .set, .dot: false
        case .group(let child, _): child.isNullable
        case .concat(let children): children.allSatisfy(\.isNullable)
        case .alternation(let children): children.contains(where: \.isNullable)
        case .repetition(let child, let min, _, _): min == 0 || child.isNullable
        }
    }
}
