/// The instructions of a subset pattern for `RegexPikeVM`: a Thompson NFA whose `split`s are
/// ordered (first target preferred), so the VM finds the match a backtracking engine finds.
/// Counted repetition is expanded, so the program is bounded (`maximumInstructions`): a larger
/// one goes to ICU rather than making every match slower.
struct RegexProgram: Sendable {
    enum Instruction: Sendable {
        case scalar(Unicode.Scalar)
        case set(Int)
        case dot
        /// Try `preferred` first, then `other`.
        case split(preferred: Int, other: Int)
        case jump(Int)
        /// Record the position in capture slot n (group k: slots 2k, 2k+1).
        case save(Int)
        case assertStart
        case assertEnd
        case match
    }

    static let maximumInstructions = 5000

    private(set) var instructions: [Instruction] = []
    private(set) var sets: [RegexScalarSet] = []
    /// Capture slots: two per group, group 0 being the whole match.
    let slotCount: Int
    /// True when every match starts at the text's start (`^…`): the VM stops seeding there.
    private(set) var anchoredAtStart = false

    /// The program for `node`, or nil when it would exceed `maximumInstructions`.
    init?(_ node: RegexNode, captureCount: Int) {
        slotCount = 2 * (captureCount + 1)
        if case .start = node { anchoredAtStart = true }
        if case .concat(let items) = node, case .start? = items.first { anchoredAtStart = true }
        emit(.save(0))
        guard compile(node) else { return nil }
        emit(.save(1))
        emit(.match)
        guard instructions.count <= Self.maximumInstructions else { return nil }
        firstScalars = Self.firstScalars(of: instructions)
    }

    /// The scalars every match starts with (at most 8), or nil when a match can start with
    /// anything else or be empty: the VM skips positions holding none of them without running
    /// any thread, as ICU's literal-prefix search does (a log line is mostly such positions).
    private(set) var firstScalars: [Unicode.Scalar]?

    private static func firstScalars(of instructions: [Instruction]) -> [Unicode.Scalar]? {
        var found: [Unicode.Scalar] = [], seen = Set<Int>(), pending = [0]
        while let pc = pending.popLast() {
            guard seen.insert(pc).inserted else { continue }
            switch instructions[pc] {
            case .jump(let target): pending.append(target)
            case .split(let preferred, let other): pending.append(contentsOf: [preferred, other])
            case .save, .assertStart: pending.append(pc + 1)
            case .scalar(let scalar):
                if !found.contains(scalar) { found.append(scalar) }
                guard found.count <= 8 else { return nil }
            case .set, .dot, .assertEnd, .match: return nil
            }
        }
        return found.isEmpty ? nil : found
    }

    private mutating func emit(_ instruction: Instruction) {
        instructions.append(instruction)
    }

    private mutating func patch(_ at: Int, _ instruction: Instruction) {
        instructions[at] = instruction
    }

    /// False once the program is over the size limit.
    private mutating func compile(_ node: RegexNode) -> Bool {
        guard instructions.count <= Self.maximumInstructions else { return false }
        switch node {
        case .empty: return true
        case .scalar(let scalar): emit(.scalar(scalar))
        case .set(let set):
            sets.append(set)
            emit(.set(sets.count - 1))
        case .dot: emit(.dot)
        case .start: emit(.assertStart)
        case .end: emit(.assertEnd)
        case .group(let child, let capture):
            if let capture { emit(.save(2 * capture)) }
            guard compile(child) else { return false }
            if let capture { emit(.save(2 * capture + 1)) }
        case .concat(let children):
            for child in children { guard compile(child) else { return false } }
        case .alternation(let children):
            var jumps: [Int] = []
            for (position, child) in children.enumerated() {
                if position < children.count - 1 {
                    let split = instructions.count
                    emit(.jump(-1))
                    guard compile(child) else { return false }
                    jumps.append(instructions.count)
                    emit(.jump(-1))
                    patch(split, .split(preferred: split + 1, other: instructions.count))
                } else {
                    guard compile(child) else { return false }
                }
            }
            for jump in jumps { patch(jump, .jump(instructions.count)) }
        case .repetition(let child, let min, let max, let greedy):
            for _ in 0..<min { guard compile(child) else { return false } }
            if let max {
                // (x(x(x)?)?)?: every optional copy skips to the same end
                var splits: [Int] = []
                for _ in min..<max {
                    splits.append(instructions.count)
                    emit(.jump(-1))
                    guard compile(child) else { return false }
                }
                let end = instructions.count
                for split in splits {
                    patch(split, greedy ? .split(preferred: split + 1, other: end) : .split(preferred: end, other: split + 1))
                }
            } else {
                let loop = instructions.count
                emit(.jump(-1))
                guard compile(child) else { return false }
                emit(.jump(loop))
                let end = instructions.count
                patch(loop, greedy ? .split(preferred: loop + 1, other: end) : .split(preferred: end, other: loop + 1))
            }
        }
        return instructions.count <= Self.maximumInstructions
    }
}
