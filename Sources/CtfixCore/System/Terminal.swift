import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The operator's terminal, for confirmation prompts. Behind a protocol so prompt logic is
/// tested with scripted answers, and so "no terminal" is a fact the executor checks up front
/// (it refuses at once rather than wait on a stdin nobody will ever write to).
public protocol Terminal: Sendable {
    /// True when both standard input and standard output are terminals.
    var isInteractive: Bool { get }
    /// Shows `prompt` and reads one line; nil at end of input.
    func ask(_ prompt: String) -> String?
}

/// The process's own terminal.
public struct ProcessTerminal: Terminal {
    public init() {}

    public var isInteractive: Bool { isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1 }

    public func ask(_ prompt: String) -> String? {
        FileHandle.standardOutput.write(Data(prompt.utf8))
        return readLine(strippingNewline: true)
    }
}

/// No terminal at all (automation, services, tests that must never prompt).
public struct NoTerminal: Terminal {
    public init() {}
    public var isInteractive: Bool { false }
    public func ask(_ prompt: String) -> String? { nil }
}
