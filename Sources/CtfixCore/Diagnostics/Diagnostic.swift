/// One problem found in an input file, with the place it was found, printed the way compilers
/// and editors expect: `playbooks/x.yaml:12:5: error: unknown key 'treshold'`.
public struct Diagnostic: Sendable, Equatable, Codable, CustomStringConvertible {
    public enum Severity: String, Sendable, Codable { case error, warning }

    public var file: String
    public var line: Int
    public var column: Int
    public var severity: Severity
    public var message: String

    public init(file: String, line: Int, column: Int, severity: Severity = .error, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.severity = severity
        self.message = message
    }

    public var description: String { "\(TerminalText.content(file)):\(line):\(column): \(severity.rawValue): \(TerminalText.content(message))" }
}

/// All the problems of one or more files, thrown once after validation collected them
/// (as XcodeGen's spec validation does), so the author fixes everything in one pass.
public struct DiagnosticError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]
    public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }
    public var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
