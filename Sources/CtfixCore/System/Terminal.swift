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

/// The process's own terminal. A prompt waits on standard input *and* on the interruption's
/// wake-up pipe, so Ctrl-C (caught, see `Interruption`) ends the prompt at once with nil
/// instead of leaving ctfix blocked in `read` until Enter is pressed.
public struct ProcessTerminal: Terminal {
    public let interruption: Interruption

    public init(interruption: Interruption = .process) {
        self.interruption = interruption
    }

    public var isInteractive: Bool { isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1 }

    public func ask(_ prompt: String) -> String? {
        // Prompts quote outside text (host names, paths): guarded like every other human line.
        FileHandle.standardOutput.write(Data(GuardedOutputSink.guarded(prompt).utf8))
        var line: [UInt8] = []
        while !interruption.isRequested {
            var fds = [pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: interruption.wakeDescriptor, events: Int16(POLLIN), revents: 0)]
            let ready = poll(&fds, nfds_t(fds[1].fd >= 0 ? 2 : 1), -1)
            if ready < 0 { if errno == EINTR { continue } else { return nil } }
            if fds[1].revents != 0 && interruption.isRequested { break }
            guard fds[0].revents != 0 else { continue }
            var byte: UInt8 = 0
            let count = read(STDIN_FILENO, &byte, 1)
            if count < 0 { if errno == EINTR || errno == EAGAIN { continue } else { return nil } }
            if count == 0 { return line.isEmpty ? nil : String(decoding: line, as: UTF8.self) }
            if byte == UInt8(ascii: "\n") { return String(decoding: line, as: UTF8.self) }
            line.append(byte)
        }
        FileHandle.standardOutput.write(Data("\n".utf8))
        return nil
    }
}

/// No terminal at all (automation, services, tests that must never prompt).
public struct NoTerminal: Terminal {
    public init() {}
    public var isInteractive: Bool { false }
    public func ask(_ prompt: String) -> String? { nil }
}
