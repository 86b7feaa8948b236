/// Runs a `RegexProgram` over a text's Unicode scalars by Pike's method: every NFA thread
/// advances in lock step, one scalar at a time, so a match costs O(text × program) whatever
/// the pattern (no backtracking, nothing exponential). Threads are kept in priority order and
/// a matching thread cuts the lower ones, which gives the leftmost-first match and the captures
/// a backtracking engine (ICU, Perl) reports.
struct RegexPikeVM {
    enum Outcome {
        /// Capture slots in scalar offsets (-1: the group did not take part).
        case match([Int])
        case noMatch
        case overLimit
    }

    /// What the caller needs from a match: the less, the cheaper.
    enum Need {
        /// Only whether there is one: the first thread to match ends the run.
        case existence
        /// The whole match's bounds (leftmost-first).
        case wholeMatch
        /// Every group's bounds.
        case groups
    }

    /// Scalars between two looks at the budget.
    static let budgetInterval = 256

    let program: RegexProgram

    private struct ThreadList {
        var pcs: [Int] = []
        var slots: [Int] = []
        var count: Int { pcs.count }
        mutating func removeAll() {
            pcs.removeAll(keepingCapacity: true)
            slots.removeAll(keepingCapacity: true)
        }
    }

    private enum Frame {
        case explore(Int)
        case restore(slot: Int, value: Int)
    }

    /// The first (leftmost-first) match in `text`, with the slots `need` asks for (for
    /// `existence`, the first thread that matches, which need not be the leftmost-first one).
    /// `overBudget` is asked every `budgetInterval` scalars; true abandons the match.
    func firstMatch(in text: [Unicode.Scalar], need: Need, overBudget: () -> Bool) -> Outcome {
        let instructions = program.instructions
        let sets = program.sets
        let slotCount = need == .groups ? program.slotCount : 2
        let end = text.count
        var current = ThreadList(), next = ThreadList()
        current.pcs.reserveCapacity(instructions.count)
        next.pcs.reserveCapacity(instructions.count)
        var stamps = [Int](repeating: -1, count: instructions.count)
        var stack: [Frame] = []
        var scratch = [Int](repeating: -1, count: slotCount)
        var matched: [Int]?

        func atEnd(_ position: Int) -> Bool {
            if position == end { return true }
            let scalar = text[position]
            if position == end - 1 {
                guard RegexScalarSet.isLineTerminator(scalar) else { return false }
                return !(scalar == "\n" && position > 0 && text[position - 1] == "\r")
            }
            return position == end - 2 && scalar == "\r" && text[position + 1] == "\n"
        }

        /// Follows the non-consuming instructions from `start`, adding threads in priority order.
        func add(_ list: inout ThreadList, _ start: Int, at position: Int) {
            stack.append(.explore(start))
            while let frame = stack.popLast() {
                switch frame {
                case .restore(let slot, let value):
                    scratch[slot] = value
                case .explore(let pc):
                    guard stamps[pc] != position else { continue }
                    stamps[pc] = position
                    switch instructions[pc] {
                    case .jump(let target): stack.append(.explore(target))
                    case .split(let preferred, let other):
                        stack.append(.explore(other))
                        stack.append(.explore(preferred))
                    case .save(let slot):
                        if slot < slotCount {
                            stack.append(.restore(slot: slot, value: scratch[slot]))
                            scratch[slot] = position
                        }
                        stack.append(.explore(pc + 1))
                    case .assertStart:
                        if position == 0 { stack.append(.explore(pc + 1)) }
                    case .assertEnd:
                        if atEnd(position) { stack.append(.explore(pc + 1)) }
                    case .scalar, .set, .dot, .match:
                        list.pcs.append(pc)
                        for slot in 0..<slotCount { list.slots.append(scratch[slot]) }
                    }
                }
            }
        }

        var position = 0
        let firstScalars = program.anchoredAtStart ? nil : program.firstScalars
        while true {
            if let firstScalars, matched == nil, current.count == 0 {
                // no thread alive: skip to where a match can start (none can be empty)
                while position < end, !firstScalars.contains(text[position]) { position += 1 }
                if position == end { break }
            }
            // a new thread only where a match can start (and none once one is found)
            if matched == nil, position == 0 || !program.anchoredAtStart,
               firstScalars.map({ position < end && $0.contains(text[position]) }) ?? true {
                for slot in 0..<slotCount { scratch[slot] = -1 } // not `= fresh`: that would copy on write
                add(&current, 0, at: position)
            }
            if current.count == 0, matched != nil || program.anchoredAtStart { break }
            next.removeAll()
            var thread = 0
            threads: while thread < current.count {
                let pc = current.pcs[thread]
                let base = thread * slotCount
                thread += 1
                let advances: Bool
                switch instructions[pc] {
                case .match:
                    matched = Array(current.slots[base..<(base + slotCount)])
                    if need == .existence { return .match(matched!) }
                    break threads // lower-priority threads lose to this match
                case .scalar(let scalar): advances = position < end && text[position] == scalar
                case .set(let set): advances = position < end && sets[set].contains(text[position])
                case .dot: advances = position < end && !RegexScalarSet.isLineTerminator(text[position])
                default: advances = false
                }
                if advances {
                    for slot in 0..<slotCount { scratch[slot] = current.slots[base + slot] }
                    add(&next, pc + 1, at: position + 1)
                }
            }
            swap(&current, &next)
            if position == end { break }
            position += 1
            if position % Self.budgetInterval == 0, overBudget() { return .overLimit }
        }
        return matched.map { .match($0) } ?? .noMatch
    }
}
