import Foundation

/// One generated hostile input: the bytes of a playbook file, and `--set` arguments to pass
/// with it. `mayBeValid` marks the cases a correct ctfix may accept (exit 0, or 2 for `check`):
/// a huge but legal value, a CRLF file, a BOM.
struct HostileCase: Sendable, CustomStringConvertible {
    var hostileClass: String
    var name: String
    var bytes: [UInt8]
    var settings: [String] = []
    var mayBeValid = false

    var description: String { "\(hostileClass)/\(name)" }
}

/// Generates hundreds of hostile playbooks from `HostileBase`, one group per class of attack
/// from issue 8 (deep nesting, long unary and parenthesis chains, overflowing numbers and
/// durations, NaN/inf spellings, huge strings and keys, alias bombs, bad bytes, wrong types at
/// every field, `--set` values of the same classes). Deterministic: the same seed gives the
/// same cases, so a failure names a case that can be regenerated and run by hand.
enum HostilePlaybooks {
    static let defaultSeed: UInt64 = 0x0C7F_1808

    static func all(seed: UInt64 = defaultSeed) -> [HostileCase] {
        var random = SplitMix64(seed: seed)
        var cases: [HostileCase] = []
        cases += yamlNesting()
        cases += predicateTrees()
        cases += expressionChains(&random)
        cases += hugeNumbers(&random)
        cases += hugeDurations(&random)
        cases += nanAndInfinity(&random)
        cases += hugeStrings(&random)
        cases += aliasBombs()
        cases += badBytes(&random)
        cases += wrongTypes(&random)
        cases += manyElements()
        cases += unknownKeys(&random)
        cases += settings(&random)
        var seen: [String: Int] = [:]
        for index in cases.indices {
            let count = seen[cases[index].description, default: 0]
            seen[cases[index].description] = count + 1
            if count > 0 { cases[index].name += "#\(count + 1)" }
        }
        return cases
    }

    // MARK: Field editing

    /// The base, one entry per line.
    static var baseLines: [String] { HostileBase.text.components(separatedBy: "\n") }

    /// Lines of the base that hold `key: scalar` (the fields a hostile value can replace),
    /// as (line index, dotted path for case names, key).
    static var scalarFields: [(index: Int, path: String, key: String)] {
        var result: [(Int, String, String)] = []
        var stack: [(indent: Int, key: String)] = []
        for (index, line) in baseLines.enumerated() {
            let indent = line.prefix { $0 == " " || $0 == "-" }.count
            let body = line.dropFirst(indent)
            guard let colon = body.range(of: ":") else { continue }
            let key = String(body[..<colon.lowerBound])
            guard key.allSatisfy({ $0.isLetter || $0 == "_" }) else { continue }
            while let last = stack.last, last.indent >= indent { stack.removeLast() }
            let value = body[colon.upperBound...].trimmingCharacters(in: .whitespaces)
            let path = (stack.map(\.key) + [key]).joined(separator: ".")
            if value.isEmpty { stack.append((indent, key)) } else { result.append((index, path, key)) }
        }
        return result
    }

    /// The base with the value on line `index` replaced.
    static func replacing(line index: Int, with value: String) -> [UInt8] {
        var lines = baseLines
        let line = lines[index]
        let colon = line.range(of: ": ")!
        lines[index] = String(line[..<colon.upperBound]) + value
        return Array(lines.joined(separator: "\n").utf8)
    }

    /// The base with `extra` appended as further top-level text.
    static func appending(_ extra: String) -> [UInt8] { Array((HostileBase.text + "\n" + extra).utf8) }

    /// The base with the whole `detect:` tree replaced by a flow-style predicate.
    static func detect(_ predicate: String) -> [UInt8] {
        let lines = baseLines
        let start = lines.firstIndex(of: "detect:")!, end = lines.firstIndex(of: "actions:")!
        return Array((lines[..<start] + ["detect: " + predicate] + lines[end...]).joined(separator: "\n").utf8)
    }

    /// Fields holding a number expression or a whole number.
    static let numericPaths = [
        "version", "parameters.usage_threshold.default", "parameters.usage_threshold.minimum",
        "parameters.usage_threshold.maximum", "parameters.max_ceiling.default", "parameters.max_ceiling.minimum",
        "detect.any.log.min_count", "detect.any.ratio.above", "detect.any.value.above",
        "detect.any.counter.above", "detect.any.counter.usage.above",
        "actions.sysctl.set", "actions.sysctl.ceiling", "actions.sysctl.memory_budget.share",
        "actions.sysctl.hashsize.divisor", "actions.sysctl.multiply", "actions.sysctl.floor", "actions.sysctl.add",
        "actions.drop_caches.level", "verify.healthy.ratio.below",
    ]
    /// Fields holding an expression (a subset of `numericPaths`).
    static let expressionPaths = [
        "parameters.usage_threshold.minimum", "detect.any.ratio.above", "detect.any.value.above",
        "detect.any.counter.above", "detect.any.counter.usage.above",
        "actions.sysctl.set", "actions.sysctl.ceiling", "actions.sysctl.memory_budget.share",
        "actions.sysctl.multiply", "actions.sysctl.floor", "verify.healthy.ratio.below",
    ]
    /// Fields holding a duration.
    static let durationPaths = [
        "parameters.settle.default", "cooldown", "detect.any.log.within", "detect.any.value.for", "detect.any.counter.over",
        "actions.restart_service.timeout",
        "actions.command.timeout", "verify.delay",
    ]

    /// The line of the first field with this dotted path (`actions.sysctl.set`: the first sysctl action's).
    static func index(_ path: String) -> Int {
        guard let field = scalarFields.first(where: { $0.path == path }) else { fatalError("no field \(path) in HostileBase") }
        return field.index
    }
}

/// A small deterministic generator (SplitMix64), so every run builds the same cases.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.upperBound - range.lowerBound + 1))
    }
    mutating func pick<T>(_ items: [T]) -> T { items[int(0...items.count - 1)] }
}
