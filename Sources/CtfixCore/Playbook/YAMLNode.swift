import Yams

/// A YAML document as a plain, Sendable tree where every node knows its line and column.
/// Yams' `Node` is converted once, right after parsing, so no later step can lose a position.
public struct YAMLNode: Sendable {
    public enum Value: Sendable {
        /// `quoted` is true for '…' and "…" scalars, which are never numbers or booleans.
        case scalar(String, quoted: Bool)
        case mapping([Pair])
        case sequence([YAMLNode])
    }

    public struct Pair: Sendable {
        public var key: YAMLNode
        public var value: YAMLNode
    }

    public var value: Value
    public var line: Int
    public var column: Int

    public init(_ value: Value, line: Int, column: Int) {
        self.value = value
        self.line = line
        self.column = column
    }

    /// The scalar text, or nil for mappings and sequences.
    public var scalar: String? {
        if case .scalar(let text, _) = value { return text }
        return nil
    }

    /// True for an unquoted `~`, `null` or empty scalar.
    public var isNull: Bool {
        if case .scalar(let text, let quoted) = value, !quoted {
            return text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL"
        }
        return false
    }

    /// A word for messages: "a mapping", "a list", "the number 3".
    public var kindDescription: String {
        switch value {
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .scalar(let text, _): isNull ? "null" : "'\(text.count > 40 ? String(text.prefix(40)) + "…" : text)'"
        }
    }
}

/// Parses YAML text into a `YAMLNode`, turning every Yams/libyaml error into a positioned
/// diagnostic. Guards against documents that expand to huge trees through aliases.
public enum YAMLDocumentParser {
    /// Inputs larger than this are refused before parsing (playbooks are a few KiB).
    public static let maximumBytes = 1 << 20
    /// Alias expansion beyond this many nodes is refused ("billion laughs").
    public static let maximumNodes = 100_000

    public static func parse(_ text: String, file: String) throws(DiagnosticError) -> YAMLNode {
        func fail(_ line: Int, _ column: Int, _ message: String) -> DiagnosticError {
            DiagnosticError([Diagnostic(file: file, line: line, column: column, message: message)])
        }
        guard text.utf8.count <= maximumBytes else {
            throw fail(1, 1, "file is larger than \(maximumBytes) bytes; refusing to parse")
        }
        if text.utf8.contains(0) { throw fail(1, 1, "file contains a NUL byte; not a text file") }
        let root: Node?
        do {
            let parser = try Parser(yaml: text)
            root = try parser.singleRoot()
        } catch let error as YamlError {
            throw DiagnosticError([diagnostic(for: error, file: file, text: text)])
        } catch {
            throw fail(1, 1, "cannot parse YAML: \(error)")
        }
        guard let root else { throw fail(1, 1, "the document is empty") }
        var budget = maximumNodes
        guard let converted = convert(root, budget: &budget) else {
            throw fail(1, 1, "the document expands to more than \(maximumNodes) nodes (alias bomb?)")
        }
        return converted
    }

    private static func convert(_ node: Node, budget: inout Int) -> YAMLNode? {
        budget -= 1
        guard budget >= 0 else { return nil }
        let line = node.mark?.line ?? 1
        let column = node.mark?.column ?? 1
        switch node {
        case .scalar(let scalar):
            let quoted = scalar.style == .singleQuoted || scalar.style == .doubleQuoted
                || scalar.style == .literal || scalar.style == .folded
            return YAMLNode(.scalar(scalar.string, quoted: quoted), line: line, column: column)
        case .mapping(let mapping):
            var pairs: [YAMLNode.Pair] = []
            for (key, value) in mapping {
                guard let k = convert(key, budget: &budget), let v = convert(value, budget: &budget) else { return nil }
                pairs.append(.init(key: k, value: v))
            }
            return YAMLNode(.mapping(pairs), line: line, column: column)
        case .sequence(let sequence):
            var items: [YAMLNode] = []
            for item in sequence {
                guard let converted = convert(item, budget: &budget) else { return nil }
                items.append(converted)
            }
            return YAMLNode(.sequence(items), line: line, column: column)
        case .alias:
            return YAMLNode(.scalar("", quoted: false), line: line, column: column)
        }
    }

    private static func diagnostic(for error: YamlError, file: String, text: String) -> Diagnostic {
        switch error {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let prefix = context.map { "\($0.text) " } ?? ""
            // libyaml reports where it gave up (for an unclosed quote: the end of the file);
            // the construct's start is where the author has to look.
            let start = context.flatMap { $0.mark.line != mark.line ? "; it starts at line \($0.mark.line), column \($0.mark.column)" : nil } ?? ""
            return Diagnostic(file: file, line: mark.line, column: mark.column,
                              message: "invalid YAML: \(prefix)\(problem)".trimmingCharacters(in: .whitespaces) + start)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let key = duplicates.first ?? "?"
            let place = secondOccurrence(of: key, after: context.mark, in: text) ?? (context.mark.line, context.mark.column)
            return Diagnostic(file: file, line: place.0, column: place.1,
                              message: "duplicate key '\(key)' (first at line \(context.mark.line))")
        case .reader(let problem, let offset, _, _):
            let (line, column) = offset.map { lineAndColumn(ofUTF8Offset: $0, in: text) } ?? (1, 1)
            return Diagnostic(file: file, line: line, column: column, message: "invalid text: \(problem)")
        default:
            return Diagnostic(file: file, line: 1, column: 1, message: "invalid YAML: \(error)")
        }
    }

    /// libyaml reports the first of two equal keys; editors want the second, the one to delete.
    static func secondOccurrence(of key: String, after first: Mark, in text: String) -> (Int, Int)? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard first.line >= 1, first.line <= lines.count else { return nil }
        for index in first.line..<lines.count {
            let line = lines[index]
            let indent = line.prefix { $0 == " " || $0 == "-" }.count
            let rest = line.dropFirst(indent)
            for candidate in [key, "\"\(key)\"", "'\(key)'"] where rest.hasPrefix(candidate + ":") {
                if indent + 1 == first.column { return (index + 1, indent + 1) }
            }
        }
        return nil
    }

    static func lineAndColumn(ofUTF8Offset offset: Int, in text: String) -> (Int, Int) {
        var line = 1, column = 1
        for (index, byte) in text.utf8.enumerated() {
            if index >= offset { break }
            if byte == UInt8(ascii: "\n") { line += 1; column = 1 } else { column += 1 }
        }
        return (line, column)
    }
}
