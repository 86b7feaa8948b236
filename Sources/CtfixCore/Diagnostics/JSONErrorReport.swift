import Foundation
import Synchronization

/// What this process wrote through `StandardOutputSink`: whether anything reached standard
/// output, and the first lines of standard error (bounded). The command line reads it when a
/// command ends so that, under `--json`, an error that printed only to standard error is also
/// one JSON object on standard output (`JSONErrorReport`), and `check` always prints a Nagios line.
public enum ProcessOutput {
    /// At most this many error lines are kept (the rest are counted only).
    public static let maximumLines = 50
    private static let state = Mutex<(wroteOutput: Bool, errors: [String], partial: String)>((false, [], ""))

    static func noteStandardOutput() { state.withLock { $0.wroteOutput = true } }

    static func noteStandardError(_ text: String) {
        state.withLock { state in
            var pending = state.partial + text
            while let newline = pending.firstIndex(of: "\n") {
                if state.errors.count < maximumLines { state.errors.append(String(pending[..<newline])) }
                pending = String(pending[pending.index(after: newline)...])
            }
            state.partial = String(pending.prefix(4096))
        }
    }

    /// Whether anything was written to standard output.
    public static var wroteStandardOutput: Bool { state.withLock { $0.wroteOutput } }

    /// The error lines written so far (an unfinished last line included).
    public static var errorLines: [String] {
        state.withLock { $0.errors + ($0.partial.isEmpty ? [] : [$0.partial]) }
    }
}

/// The JSON object a `--json` command prints on standard output when it fails before it has
/// a report to print: `{"error": {"kind": "usage", "message": …, "location": "file:line:col"},
/// "exit_status": 64}`, with the same exit status. Keys and `kind` are snake_case.
public struct JSONErrorReport: Encodable, Sendable {
    public struct Detail: Encodable, Sendable {
        /// The status's name: `usage`, `invalid_input`, `no_input`, `busy`, `refused`, `failed`…
        public var kind: String
        /// The first problem, as a sentence.
        public var message: String
        /// Every line the command wrote to standard error (diagnostics, one per problem).
        public var messages: [String]
        /// `file:line:col` of the first diagnostic, when the problem is in a file.
        public var location: String?
    }

    public var error: Detail
    public var exitStatus: Int32
    /// The command that failed (`run`, `rollback`, …), when known.
    public var command: String?

    enum CodingKeys: String, CodingKey { case error, exitStatus = "exit_status", command }

    public init(status: ExitStatus, messages: [String], command: String? = nil) {
        let lines = messages.filter { !$0.trimmed(.whitespaces).isEmpty }
        let diagnostic = lines.lazy.compactMap(Self.location(of:)).first
        let first = diagnostic?.message ?? lines.first ?? "exit status \(status.rawValue)"
        error = Detail(kind: status.name, message: first, messages: lines, location: diagnostic?.location)
        exitStatus = status.rawValue
        self.command = command
    }

    /// `file:12:5: error: unknown key` → (`file:12:5`, `unknown key`).
    /// The first `:LINE:COL: error: ` (or `warning: `) marker decides, as a search for
    /// `:[0-9]+:[0-9]+: (error|warning): ` would.
    static func location(of line: String) -> (location: String, message: String)? {
        let bytes = Array(line.utf8)
        func digits(from start: Int) -> Int? {
            var index = start
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") { index += 1 }
            return index > start ? index : nil
        }
        func text(_ literal: String, at index: Int) -> Int? {
            let want = Array(literal.utf8)
            guard index + want.count <= bytes.count, Array(bytes[index..<index + want.count]) == want else { return nil }
            return index + want.count
        }
        for start in bytes.indices where bytes[start] == UInt8(ascii: ":") {
            guard let lineEnd = digits(from: start + 1), let colStart = text(":", at: lineEnd),
                  let colEnd = digits(from: colStart), let kindStart = text(": ", at: colEnd),
                  let messageStart = text("error: ", at: kindStart) ?? text("warning: ", at: kindStart) else { continue }
            return (String(decoding: bytes[..<colEnd], as: UTF8.self), String(decoding: bytes[messageStart...], as: UTF8.self))
        }
        return nil
    }

    /// The pretty-printed object, as every `--json` output is.
    public var text: String { JSONOutput.encode(self) }
}

extension JSONValue {
    /// One line of JSON (sorted keys), for JSON Lines output such as `watch --json`.
    public var compactText: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
