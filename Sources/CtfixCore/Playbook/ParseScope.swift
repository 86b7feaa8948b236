import Foundation

/// The state of validating one playbook file: where errors go and what the file declares
/// (its parameters), so every predicate and action parser reports `file:line:col` the same way
/// and all errors of a file are collected before anything is thrown.
public struct ParseScope {
    public let file: String
    public private(set) var diagnostics: [Diagnostic] = []
    /// Declared parameter names, so `${name}` references can be checked where they are written.
    public var parameterNames: Set<String> = []
    /// Declared parameter types, so `${name}` in a duration can be checked to be a duration.
    /// A name declared without a type here (a documentation example) is accepted anywhere.
    public var parameterTypes: [String: Parameter.ValueType] = [:]
    /// Parameters used in a ratio threshold: shares, checked as such (`ShareText`).
    public var shareParameters: Set<String> = []

    public init(file: String, parameterNames: Set<String> = []) {
        self.file = file
        self.parameterNames = parameterNames
    }

    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    public mutating func error(_ node: YAMLNode, _ message: String) {
        diagnostics.append(Diagnostic(file: file, line: node.line, column: node.column, message: message))
    }

    public mutating func error(line: Int, column: Int, _ message: String) {
        diagnostics.append(Diagnostic(file: file, line: line, column: column, message: message))
    }

    public mutating func warning(_ node: YAMLNode, _ message: String) {
        diagnostics.append(Diagnostic(file: file, line: node.line, column: node.column, severity: .warning, message: message))
    }

    // MARK: Typed scalars

    /// A string scalar (numbers and booleans written plainly are accepted as their text).
    public mutating func string(_ node: YAMLNode, _ what: String) -> String? {
        guard case .scalar(let text, _) = node.value, !node.isNull else {
            error(node, "\(what) must be a string, found \(node.kindDescription)")
            return nil
        }
        return text
    }

    /// A non-empty string.
    public mutating func nonEmptyString(_ node: YAMLNode, _ what: String) -> String? {
        guard let text = string(node, what) else { return nil }
        guard !text.trimmed(.whitespaces).isEmpty else {
            error(node, "\(what) must not be empty")
            return nil
        }
        return text
    }

    /// A non-empty one-line text (a summary, an action's `explain`), at most
    /// `ParseLimits.maximumLineBytes`: it is printed in plans, prompts and audit records.
    public mutating func lineOfText(_ node: YAMLNode, _ what: String) -> String? {
        guard let text = nonEmptyString(node, what) else { return nil }
        guard text.utf8.count <= ParseLimits.maximumLineBytes else {
            error(node, "\(what) is \(text.utf8.count) bytes, more than the limit of \(ParseLimits.maximumLineBytes) (one sentence; use 'description' for more)")
            return nil
        }
        return text
    }

    /// `true` / `false` (YAML 1.2 core schema; `yes`/`no` are refused as ambiguous).
    public mutating func bool(_ node: YAMLNode, _ what: String) -> Bool? {
        if case .scalar(let text, false) = node.value {
            switch text {
            case "true", "True", "TRUE": return true
            case "false", "False", "FALSE": return false
            default: break
            }
        }
        error(node, "\(what) must be true or false, found \(node.kindDescription)")
        return nil
    }

    /// A whole number within bounds.
    public mutating func integer(_ node: YAMLNode, _ what: String, in range: ClosedRange<Int> = Int.min...Int.max) -> Int? {
        guard case .scalar(let text, false) = node.value, let value = Int(text.replacingASCII("_", with: nil)) else {
            error(node, "\(what) must be a whole number, found \(node.kindDescription)")
            return nil
        }
        guard range.contains(value) else {
            error(node, "\(what) must be between \(range.lowerBound) and \(range.upperBound), found \(value)")
            return nil
        }
        return value
    }

    /// A duration: `90s`, `15m`, `2h`, `1d`, `500ms`, or combinations such as `1h30m`.
    public mutating func duration(_ node: YAMLNode, _ what: String, allowZero: Bool = false) -> Duration? {
        guard case .scalar(let text, _) = node.value, !node.isNull else {
            error(node, "\(what) must be a duration such as 30s, 15m, 2h or 1d, found \(node.kindDescription)")
            return nil
        }
        let value: Duration
        do { value = try DurationText.checked(text) } catch let failure {
            error(node, failure.beyondLimit ? "\(what): \(failure.message), found \(node.kindDescription)"
                  : "\(what) must be a duration such as 30s, 15m, 2h or 1d, found \(node.kindDescription)")
            return nil
        }
        guard value > .zero || (allowZero && value == .zero) else {
            error(node, "\(what) must be longer than zero")
            return nil
        }
        return value
    }

    /// A string or a list of strings, as one list (for key alternatives and sources).
    public mutating func stringList(_ node: YAMLNode, _ what: String, allowEmpty: Bool = false) -> [String]? {
        switch node.value {
        case .scalar:
            return nonEmptyString(node, what).map { [$0] }
        case .sequence(let items):
            if items.isEmpty && !allowEmpty {
                error(node, "\(what) must not be an empty list")
                return nil
            }
            var result: [String] = []
            var ok = true
            for item in items {
                if let text = nonEmptyString(item, "each entry of \(what)") { result.append(text) } else { ok = false }
            }
            return ok ? result : nil
        case .mapping:
            error(node, "\(what) must be a string or a list of strings, found a mapping")
            return nil
        }
    }

    /// A list node's items (a lone scalar/mapping is an error).
    public mutating func list(_ node: YAMLNode, _ what: String) -> [YAMLNode]? {
        guard case .sequence(let items) = node.value else {
            error(node, "\(what) must be a list, found \(node.kindDescription)")
            return nil
        }
        return items
    }

    /// A compiled regular expression; a bad pattern is reported at the pattern.
    public mutating func regex(_ node: YAMLNode, _ what: String) -> CompiledPattern? {
        guard let source = nonEmptyString(node, what) else { return nil }
        do {
            return try CompiledPattern(source)
        } catch {
            self.error(node, error.isCostRefusal ? "\(what) is refused: \(error.reason)"
                                                 : "\(what) is not a valid regular expression: \(error.reason)")
            return nil
        }
    }

    /// A number expression (`0.9`, `90%`, `64MiB`, `${threshold}`, `max(current * 2, 65536)`),
    /// with the names it may use.
    public mutating func expression(_ node: YAMLNode, _ what: String, variables: Set<String> = []) -> NumberExpression? {
        guard case .scalar(let text, _) = node.value, !node.isNull else {
            error(node, "\(what) must be a number or an expression, found \(node.kindDescription)")
            return nil
        }
        do {
            let expression = try NumberExpression(parsing: text)
            for name in expression.parameterReferences where !parameterNames.contains(name) {
                error(node, "\(what) refers to undeclared parameter '\(name)'" + suggestion(name, parameterNames))
                return nil
            }
            for name in expression.variableReferences where !variables.contains(name) {
                let allowed = variables.isEmpty ? " (only numbers and ${parameters} are allowed here)" : " (known here: \(variables.sorted().joined(separator: ", ")))"
                error(node, "\(what) uses unknown name '\(name)'\(allowed)")
                return nil
            }
            // A constant that cannot be computed (beyond ±2^53) is wrong now, not at run time.
            if expression.parameterReferences.isEmpty, expression.variableReferences.isEmpty {
                do { _ = try expression.evaluate() } catch let failure {
                    self.error(node, "\(what): \(failure.message)")
                    return nil
                }
            }
            return expression
        } catch {
            self.error(line: node.line, column: node.column + (node.scalar.map { _ in error.offset } ?? 0), "\(what): \(error.message)")
            return nil
        }
    }
}

/// " (did you mean 'x'?)" when a close name exists.
func suggestion(_ name: String, _ candidates: some Sequence<String>) -> String {
    let best = candidates.map { ($0, editDistance(name, $0)) }.filter { $0.1 <= max(2, name.count / 3) }.min { $0.1 < $1.1 }
    return best.map { " (did you mean '\($0.0)'?)" } ?? ""
}

func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}
