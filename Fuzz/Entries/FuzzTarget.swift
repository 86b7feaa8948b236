import Foundation

/// The parsers ctfix exposes to hostile bytes, one fuzz target each (docs/fuzzing.md). A
/// target's `check` feeds the bytes through the same code the command would run and returns
/// every broken invariant it saw: "does not crash" is the floor, not the test. The libFuzzer
/// driver aborts on a violation (so libFuzzer writes the input as a crash file); the corpus
/// replay test expects none.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// A playbook file's bytes through the loader, as `ctfix validate` reads it.
    case playbook
    /// Number and duration expressions, as written in a playbook or given to `--set`.
    case expression
    /// Kernel-log lines in every format the scanner and `ctfix watch` read (journald JSON too).
    case logline
    /// A webhook body through the strict JSON check, the payload decoder, host matching and
    /// the alert parameter policy.
    case webhook

    /// The broken invariants for one input; empty when everything held.
    public func check(_ bytes: [UInt8]) -> [String] {
        var violations = Violations()
        switch self {
        case .playbook: PlaybookFuzzEntry.check(bytes, &violations)
        case .expression: ExpressionFuzzEntry.check(bytes, &violations)
        case .logline: LogLineFuzzEntry.check(bytes, &violations)
        case .webhook: WebhookFuzzEntry.check(bytes, &violations)
        }
        return violations.messages
    }
}

/// Collects invariant violations with what was being checked.
public struct Violations: Sendable {
    public private(set) var messages: [String] = []

    public init() {}

    /// Records `message` unless `condition` holds.
    mutating func expect(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { messages.append(message()) }
    }

    mutating func fail(_ message: String) { messages.append(message) }
}

/// Inputs quoted in violation messages are shortened: a fuzzer input can be megabytes.
func quoted(_ text: String, limit: Int = 120) -> String {
    let escaped = text.unicodeScalars.prefix(limit).map { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F ? String($0) : "\\u{\(String($0.value, radix: 16))}" }.joined()
    return "\"\(escaped)\"" + (text.unicodeScalars.count > limit ? "…(\(text.unicodeScalars.count) scalars)" : "")
}
