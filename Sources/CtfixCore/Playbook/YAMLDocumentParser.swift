import Yams

/// Parses YAML text into a `YAMLNode`, turning every Yams/libyaml error into a positioned
/// diagnostic, within `ParseLimits`: file size, alias uses (counted on the raw text, before
/// Yams composes), nesting depth (libyaml itself stops at 1000 levels, so the reader's own
/// recursion is bounded; ours refuses beyond `maximumYAMLDepth`), nodes after alias
/// expansion, keys or items per collection, bytes per scalar.
public enum YAMLDocumentParser {
    /// Inputs larger than this are refused before parsing (playbooks are a few KiB).
    public static let maximumBytes = ParseLimits.maximumFileBytes
    /// Alias expansion beyond this many nodes is refused ("billion laughs").
    public static let maximumNodes = ParseLimits.maximumNodes

    public static func parse(_ text: String, file: String) throws(DiagnosticError) -> YAMLNode {
        func fail(_ line: Int, _ column: Int, _ message: String) -> DiagnosticError {
            DiagnosticError([Diagnostic(file: file, line: line, column: column, message: message)])
        }
        guard text.utf8.count <= maximumBytes else {
            throw fail(1, 1, "file is larger than \(maximumBytes) bytes; refusing to parse")
        }
        if text.utf8.contains(0) {
            let (line, column) = lineAndColumn(ofUTF8Offset: text.utf8.firstIndex(of: 0).map { text.utf8.distance(from: text.utf8.startIndex, to: $0) } ?? 0, in: text)
            throw fail(line, column, "file contains a NUL byte; not a text file")
        }
        if let (line, column) = YAMLAliasScan.firstAlias(beyond: ParseLimits.maximumAliases, in: text) {
            throw fail(line, column, "more than \(ParseLimits.maximumAliases) YAML aliases (*name) in one file; refusing to parse (a text line starting with '*' counts too unless it is in a block scalar, '|')")
        }
        let root: Node?
        do {
            // `.basic`: no implicit tag resolution. Only each scalar's text and style are read
            // (`convert`), and the default resolver compiles seven regular expressions on first
            // use, about a twentieth of a dry-run's CPU (docs/benchmarks.md). `.utf8` said
            // outright: Yams' default reads the whole environment (YAMS_DEFAULT_ENCODING) on
            // every parse, and would print a line on standard output when that is set.
            let parser = try Parser(yaml: text, resolver: .basic, encoding: .utf8)
            root = try parser.singleRoot()
        } catch let error as YamlError {
            throw DiagnosticError([diagnostic(for: error, file: file, text: text)])
        } catch {
            throw fail(1, 1, "cannot parse YAML: \(error)")
        }
        guard let root else { throw fail(1, 1, "the document is empty") }
        var budget = maximumNodes
        do {
            return try convert(root, depth: 1, budget: &budget)
        } catch {
            throw fail(error.line, error.column, error.message)
        }
    }

    struct LimitError: Error {
        var line: Int, column: Int, message: String
    }

    private static func convert(_ node: Node, depth: Int, budget: inout Int) throws(LimitError) -> YAMLNode {
        let line = node.mark?.line ?? 1
        let column = node.mark?.column ?? 1
        func refuse(_ message: String) -> LimitError { LimitError(line: line, column: column, message: message) }
        budget -= 1
        guard budget >= 0 else { throw refuse("the document expands to more than \(maximumNodes) nodes (alias bomb?)") }
        switch node {
        case .scalar(let scalar):
            guard scalar.string.utf8.count <= ParseLimits.maximumScalarBytes else {
                throw refuse("a value of \(scalar.string.utf8.count) bytes, more than the limit of \(ParseLimits.maximumScalarBytes)")
            }
            let quoted = scalar.style == .singleQuoted || scalar.style == .doubleQuoted
                || scalar.style == .literal || scalar.style == .folded
            return YAMLNode(.scalar(scalar.string, quoted: quoted), line: line, column: column)
        case .mapping(let mapping):
            guard depth <= ParseLimits.maximumYAMLDepth else { throw refuse(tooDeep) }
            guard mapping.count <= ParseLimits.maximumCollectionCount else {
                throw refuse("a mapping of \(mapping.count) keys, more than the limit of \(ParseLimits.maximumCollectionCount)")
            }
            var pairs: [YAMLNode.Pair] = []
            for (key, value) in mapping {
                pairs.append(.init(key: try convert(key, depth: depth + 1, budget: &budget),
                                   value: try convert(value, depth: depth + 1, budget: &budget)))
            }
            return YAMLNode(.mapping(pairs), line: line, column: column)
        case .sequence(let sequence):
            guard depth <= ParseLimits.maximumYAMLDepth else { throw refuse(tooDeep) }
            guard sequence.count <= ParseLimits.maximumCollectionCount else {
                throw refuse("a list of \(sequence.count) items, more than the limit of \(ParseLimits.maximumCollectionCount)")
            }
            var items: [YAMLNode] = []
            for item in sequence { items.append(try convert(item, depth: depth + 1, budget: &budget)) }
            return YAMLNode(.sequence(items), line: line, column: column)
        case .alias:
            return YAMLNode(.scalar("", quoted: false), line: line, column: column)
        }
    }

    private static var tooDeep: String {
        "mappings and lists nest deeper than \(ParseLimits.maximumYAMLDepth) levels"
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
            let place = clamped(mark.line, mark.column, in: text)
            return Diagnostic(file: file, line: place.0, column: place.1,
                              message: "invalid YAML: \(prefix)\(problem)".trimmed(.whitespaces) + start)
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

    /// A place inside the text: libyaml reports a problem at the end of a file without a final
    /// newline on the line after the last one (found by the playbook fuzz target); that is the
    /// end of the last line.
    /// Lines are counted as libyaml counts them (`\n`, `\r\n`, `\r`, NEL, U+2028, U+2029).
    static func clamped(_ line: Int, _ column: Int, in text: String) -> (Int, Int) {
        var lines = 1, lastLength = 0
        var previous: Unicode.Scalar?
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n" where previous == "\r": break
            case "\n", "\r", "\u{85}", "\u{2028}", "\u{2029}": lines += 1; lastLength = 0
            default: lastLength += 1
            }
            previous = scalar
        }
        guard line > lines else { return (line, column) }
        return (lines, lastLength + 1)
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
