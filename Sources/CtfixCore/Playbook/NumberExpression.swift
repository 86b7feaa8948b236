/// The one way playbooks write numbers: a literal (`65536`, `0.9`, `90%`, `64MiB`), a parameter
/// (`${usage_threshold}`) or a small arithmetic expression over the values an action can see
/// (`max(current * 2, 65536)`, `ram_mb * 16`). Parsed at validation time so a typo is a
/// `file:line:col` error, evaluated with exact inputs at plan time.
public struct NumberExpression: Sendable, Equatable, CustomStringConvertible {
    public struct ParseError: Error, Equatable {
        public var message: String
        /// Offset in characters from the start of the expression text.
        public var offset: Int
    }

    public struct EvaluationError: Error, Equatable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    indirect enum Node: Sendable, Equatable {
        case number(Double)
        case parameter(String)
        case variable(String)
        case negate(Node)
        case binary(Character, Node, Node)
        case call(String, [Node])
    }

    public let text: String
    let root: Node

    /// Functions an expression may call, with their arity (nil: one or more).
    static let functions: [String: Int?] = ["max": nil, "min": nil, "round": 1, "floor": 1, "ceil": 1, "clamp": 3, "abs": 1]

    public init(parsing text: String) throws(ParseError) {
        guard text.count <= ParseLimits.maximumExpressionLength else {
            throw ParseError(message: "expression is longer than \(ParseLimits.maximumExpressionLength) characters", offset: 0)
        }
        var parser = Parser(chars: Array(text))
        parser.skipSpaces()
        guard !parser.atEnd else { throw ParseError(message: "empty expression", offset: 0) }
        let root = try parser.expression()
        parser.skipSpaces()
        guard parser.atEnd else {
            throw ParseError(message: "unexpected '\(parser.chars[parser.index])'", offset: parser.index)
        }
        self.text = text
        self.root = root
    }

    private init(node: Node) {
        self.text = ""
        self.root = node
    }

    /// A constant.
    public init(_ value: Double) {
        self.text = value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        self.root = .number(value)
    }

    public var description: String { text }

    /// The value when the expression uses no names.
    public var constantValue: Double? {
        guard parameterReferences.isEmpty, variableReferences.isEmpty else { return nil }
        return try? evaluate()
    }

    /// `${name}` references.
    public var parameterReferences: Set<String> { collect(root) { if case .parameter(let n) = $0 { n } else { nil } } }
    /// Bare names (`current`, `ram_mb`).
    public var variableReferences: Set<String> { collect(root) { if case .variable(let n) = $0 { n } else { nil } } }

    private func collect(_ node: Node, _ pick: (Node) -> String?) -> Set<String> {
        var names: Set<String> = pick(node).map { [$0] } ?? []
        switch node {
        case .negate(let inner): names.formUnion(collect(inner, pick))
        case .binary(_, let a, let b): names.formUnion(collect(a, pick)); names.formUnion(collect(b, pick))
        case .call(_, let args): for arg in args { names.formUnion(collect(arg, pick)) }
        default: break
        }
        return names
    }

    /// Evaluates with the given parameter values and variables.
    public func evaluate(parameters: [String: Double] = [:], variables: [String: Double] = [:]) throws(EvaluationError) -> Double {
        try evaluate(root, parameters, variables)
    }

    /// Every value computed is finite and within `ParseLimits.maximumMagnitude`, so no result is
    /// NaN (which would pass any bound) or an infinity, and converting one to an integer never traps.
    private func evaluate(_ node: Node, _ parameters: [String: Double], _ variables: [String: Double]) throws(EvaluationError) -> Double {
        let value = try unchecked(node, parameters, variables)
        guard value.isFinite, abs(value) <= ParseLimits.maximumMagnitude else {
            throw EvaluationError(message: "'\(text)' computes \(value.isNaN ? "a value that is not a number" : "a value beyond ±2^53") (limit \(formatNumber(ParseLimits.maximumMagnitude)))")
        }
        return value
    }

    private func unchecked(_ node: Node, _ parameters: [String: Double], _ variables: [String: Double]) throws(EvaluationError) -> Double {
        switch node {
        case .number(let value): return value
        case .parameter(let name):
            guard let value = parameters[name] else { throw EvaluationError(message: "parameter '\(name)' has no numeric value") }
            return value
        case .variable(let name):
            guard let value = variables[name] else { throw EvaluationError(message: "'\(name)' is not known on this host") }
            return value
        case .negate(let inner): return -(try evaluate(inner, parameters, variables))
        case .binary(let op, let a, let b):
            let x = try evaluate(a, parameters, variables), y = try evaluate(b, parameters, variables)
            switch op {
            case "+": return x + y
            case "-": return x - y
            case "*": return x * y
            default:
                guard y != 0 else { throw EvaluationError(message: "division by zero in '\(text)'") }
                return x / y
            }
        case .call(let name, let args):
            var values: [Double] = []
            for arg in args { values.append(try evaluate(arg, parameters, variables)) }
            switch name {
            case "max": return values.max()!
            case "min": return values.min()!
            case "round": return values[0].rounded()
            case "floor": return values[0].rounded(.down)
            case "ceil": return values[0].rounded(.up)
            case "abs": return abs(values[0])
            default: return Swift.min(Swift.max(values[0], values[1]), values[2]) // clamp
            }
        }
    }

    struct Parser {
        let chars: [Character]
        var index = 0
        /// Open parentheses, calls and unary minus signs around the current position.
        var depth = 0

        /// Enters one nesting level, refusing to go deeper than `ParseLimits.maximumExpressionDepth`
        /// (the parser recurses per level).
        mutating func enter() throws(ParseError) {
            depth += 1
            guard depth <= ParseLimits.maximumExpressionDepth else {
                throw ParseError(message: "expression nests deeper than \(ParseLimits.maximumExpressionDepth) levels (parentheses, function calls, unary minus)", offset: index)
            }
        }
        var atEnd: Bool { index >= chars.count }

        mutating func skipSpaces() { while !atEnd, chars[index] == " " { index += 1 } }

        mutating func expression() throws(ParseError) -> Node {
            var left = try term()
            while true {
                skipSpaces()
                guard !atEnd, chars[index] == "+" || chars[index] == "-" else { return left }
                let op = chars[index]; index += 1
                left = .binary(op, left, try term())
            }
        }

        mutating func term() throws(ParseError) -> Node {
            var left = try factor()
            while true {
                skipSpaces()
                guard !atEnd, chars[index] == "*" || chars[index] == "/" else { return left }
                let op = chars[index], at = index; index += 1
                let right = try factor()
                if op == "/", NumberExpression(node: right).constantValue == 0 {
                    throw ParseError(message: "division by zero", offset: at)
                }
                left = .binary(op, left, right)
            }
        }

        mutating func factor() throws(ParseError) -> Node {
            skipSpaces()
            guard !atEnd else { throw ParseError(message: "expression ends too early", offset: index) }
            let c = chars[index]
            if c == "-" {
                try enter(); index += 1
                defer { depth -= 1 }
                return .negate(try factor())
            }
            if c == "(" {
                try enter(); index += 1
                defer { depth -= 1 }
                let inner = try expression()
                try expect(")")
                return inner
            }
            if c == "$" {
                let start = index
                guard index + 1 < chars.count, chars[index + 1] == "{" else {
                    throw ParseError(message: "'$' must start a parameter reference such as ${name}", offset: start)
                }
                index += 2
                let name = identifier()
                guard !name.isEmpty else { throw ParseError(message: "empty parameter name", offset: index) }
                try expect("}")
                return .parameter(name)
            }
            if c.isNumber || c == "." { return try number() }
            if c.isLetter || c == "_" {
                let start = index
                let name = identifier()
                skipSpaces()
                if !atEnd, chars[index] == "(" {
                    guard let arity = NumberExpression.functions[name] else {
                        throw ParseError(message: "unknown function '\(name)' (known: \(NumberExpression.functions.keys.sorted().joined(separator: ", ")))", offset: start)
                    }
                    try enter(); index += 1
                    defer { depth -= 1 }
                    var args: [Node] = [try expression()]
                    skipSpaces()
                    while !atEnd, chars[index] == "," {
                        index += 1
                        args.append(try expression())
                        skipSpaces()
                    }
                    try expect(")")
                    if let arity, args.count != arity {
                        throw ParseError(message: "\(name)() takes \(arity) argument\(arity == 1 ? "" : "s"), given \(args.count)", offset: start)
                    }
                    return .call(name, args)
                }
                return .variable(name)
            }
            throw ParseError(message: "unexpected '\(c)'", offset: index)
        }

        mutating func identifier() -> String {
            let start = index
            while !atEnd, chars[index].isLetter || chars[index].isNumber || chars[index] == "_" { index += 1 }
            return String(chars[start..<index])
        }

        mutating func expect(_ c: Character) throws(ParseError) {
            skipSpaces()
            guard !atEnd, chars[index] == c else {
                throw ParseError(message: "expected '\(c)'", offset: index)
            }
            index += 1
        }

        mutating func number() throws(ParseError) -> Node {
            let start = index
            while !atEnd, chars[index].isNumber || chars[index] == "." || chars[index] == "_" { index += 1 }
            // Every "_" here is a Character of its own (no numeric scalar combines with it or follows
            // it as a mark), so dropping the bytes is what replacingOccurrences did (LiteralTextTests).
            let digits = String(chars[start..<index]).replacingASCII("_", with: nil)
            guard let value = Double(digits) else { throw ParseError(message: "'\(digits)' is not a number", offset: start) }
            let limit = ParseLimits.maximumMagnitude
            var unitEnd = index
            while unitEnd < chars.count, chars[unitEnd].isLetter || chars[unitEnd] == "%" { unitEnd += 1 }
            let unit = String(chars[index..<unitEnd])
            guard let factor = Self.units[unit] else {
                throw ParseError(message: "unknown unit '\(unit)' (use %, KiB, MiB, GiB, TiB or kB)", offset: index)
            }
            guard value != 0 || !digits.contains(where: { ("1"..."9").contains($0) }) else {
                throw ParseError(message: "'\(digits.prefix(24))…' is too small to be told apart from 0", offset: start)
            }
            guard value.isFinite, value * factor <= limit else {
                throw ParseError(message: "'\(digits)\(unit)' is beyond the largest number a playbook may write (\(formatNumber(limit)), 2^53)", offset: start)
            }
            index = unitEnd
            return .number(value * factor)
        }

        static let units: [String: Double] = [
            "": 1, "%": 0.01, "B": 1,
            "k": 1024, "K": 1024, "kB": 1024, "KB": 1024, "KiB": 1024,
            "M": 1_048_576, "MB": 1_048_576, "MiB": 1_048_576,
            "G": 1_073_741_824, "GB": 1_073_741_824, "GiB": 1_073_741_824,
            "T": 1_099_511_627_776, "TiB": 1_099_511_627_776,
        ]
    }
}
