import CtfixCore

/// The command lines automation runs most, `ctfix run PLAYBOOK …` and `ctfix check PLAYBOOK… …`,
/// read without ArgumentParser when every word is one this reader knows.
///
/// Why: ArgumentParser learns a command's options by reflection (`Mirror`) and dynamic casts,
/// and the Swift runtime answers each first cast by scanning every protocol-conformance record
/// of the binary: about 1.8 ms of a 12.5 ms dry-run (docs/benchmarks.md, "Third pass"), the
/// largest single cost of the command lines an alert hook or a Nagios check starts every
/// minute. ArgumentParser stays the definition of the command line: it prints every help,
/// usage error, suggestion and completion, and parses every command line this reader declines.
///
/// This reader accepts a subset it can read exactly as ArgumentParser does and declines (nil)
/// everything else: a word it does not know, `--name=value`, a flag or single-valued option
/// given twice, a value that is empty, starts with `-` or is `help`, a missing value, the wrong
/// number of operands, a number or colour ArgumentParser would refuse. `DirectCommandLineTests`
/// holds it to that: each `Spec` names exactly the options ArgumentParser declares for its
/// command, and on generated command lines it never accepts one ArgumentParser refuses and
/// always reads the same values.
enum DirectCommandLine {
    /// The words of one subcommand.
    struct Spec: Sendable {
        /// The subcommand, the first word.
        let command: String
        /// Flags (`--json`): at most once each.
        let flags: Set<String>
        /// Options with one value (`--root DIR`): at most once each.
        let options: Set<String>
        /// Options that may be given again (`--set NAME=VALUE`), their values in order.
        let repeatable: Set<String>
        /// How many operands (words that are not options or their values).
        let operands: ClosedRange<Int>

        /// Every option and flag name.
        var names: Set<String> { flags.union(options).union(repeatable) }
    }

    /// What a command line said, by name.
    struct Words: Equatable, Sendable {
        var flags: Set<String> = []
        var options: [String: String] = [:]
        var repeated: [String: [String]] = [:]
        var operands: [String] = []
    }

    /// The invocation for `arguments` (without the program name) when a direct reader takes
    /// it, else nil (ArgumentParser parses it).
    static func invocation(_ arguments: [String]) -> (any DirectInvocation)? {
        switch arguments.first {
        case "run": return Run.direct(arguments)
        case "check": return Check.direct(arguments)
        default: return nil
        }
    }

    /// The words of `arguments` under `spec`, or nil when any word is outside the subset.
    static func words(_ arguments: [String], spec: Spec) -> Words? {
        guard arguments.first == spec.command else { return nil }
        var words = Words()
        var index = arguments.index(after: arguments.startIndex)
        while index < arguments.endIndex {
            let word = arguments[index]
            index += 1
            guard word.hasPrefix("-") else {
                guard isPlainValue(word) else { return nil }
                words.operands.append(word)
                continue
            }
            if spec.flags.contains(word) {
                guard words.flags.insert(word).inserted else { return nil }
                continue
            }
            guard spec.options.contains(word) || spec.repeatable.contains(word),
                  index < arguments.endIndex, isPlainValue(arguments[index]) else { return nil }
            let value = arguments[index]
            index += 1
            if spec.repeatable.contains(word) {
                words.repeated[word, default: []].append(value)
            } else if words.options.updateValue(value, forKey: word) != nil {
                return nil
            }
        }
        return spec.operands.contains(words.operands.count) ? words : nil
    }

    /// A value or operand this reader takes as ArgumentParser does: not empty, not an option
    /// (`-…`), and not `help`, which ArgumentParser may read as a request for help.
    static func isPlainValue(_ word: String) -> Bool {
        !word.isEmpty && !word.hasPrefix("-") && word != "help"
    }

    /// `--wait 5`: ArgumentParser reads an `Int` with `Int(_:)` (so `+5` and `007` too).
    static func integer(_ words: Words, _ name: String, default value: Int) -> Int? {
        guard let text = words.options[name] else { return value }
        return Int(text)
    }
}

/// A command line read by `DirectCommandLine`, run as its command's `run()` would.
protocol DirectInvocation: Sendable {
    func run() async throws
}
