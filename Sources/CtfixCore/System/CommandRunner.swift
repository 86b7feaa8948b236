import Foundation

/// Runs external programs (`journalctl` now; `sysctl`, `modprobe`, `systemctl` later).
/// Behind a protocol so tests script the answers and a dry-run can prove it ran nothing.
public protocol CommandRunner: Sendable {
    /// Runs `argv` with a cleared environment plus `environment`, killing it after `timeout`.
    /// Output beyond `outputLimit` bytes is cut (and says so) rather than exhausting memory.
    func run(_ argv: [String], environment: [String: String], timeout: Duration, outputLimit: Int) async throws(CommandError) -> CommandResult

    /// Whether a program can be found on PATH (or exists, for an absolute path).
    func isAvailable(_ program: String) -> Bool
}

extension CommandRunner {
    public func run(_ argv: [String], timeout: Duration = .seconds(10)) async throws(CommandError) -> CommandResult {
        try await run(argv, environment: [:], timeout: timeout, outputLimit: 64 << 20)
    }
}

/// What a finished program left behind.
public struct CommandResult: Sendable, Equatable {
    public var exitStatus: Int32
    public var standardOutput: String
    public var standardError: String
    public var timedOut: Bool
    public var outputTruncated: Bool

    public init(exitStatus: Int32, standardOutput: String = "", standardError: String = "",
                timedOut: Bool = false, outputTruncated: Bool = false) {
        self.exitStatus = exitStatus
        self.standardOutput = standardOutput
        self.standardError = standardError
        self.timedOut = timedOut
        self.outputTruncated = outputTruncated
    }

    public var succeeded: Bool { exitStatus == 0 && !timedOut }
}

/// A program could not be started at all.
public struct CommandError: Error, Sendable, Equatable, CustomStringConvertible {
    public var argv: [String]
    public var message: String
    public init(argv: [String], message: String) {
        self.argv = argv
        self.message = message
    }
    public var description: String { "\(argv.first ?? "?"): \(message)" }
}

/// A runner that refuses everything: what a context gets when it must not run programs.
public struct NoCommandRunner: CommandRunner {
    public init() {}
    public func run(_ argv: [String], environment: [String: String], timeout: Duration, outputLimit: Int) async throws(CommandError) -> CommandResult {
        throw CommandError(argv: argv, message: "running programs is disabled here")
    }
    public func isAvailable(_ program: String) -> Bool { false }
}

/// The runner a context gets when its root is not this machine's `/`: the one read-only use of
/// a program under such a root (`journalctl --directory DIR`, reading the root's journal) is
/// passed through; anything else is refused, so even a step the executor failed to simulate
/// cannot run a program on this machine on behalf of another root.
public struct ContainedCommandRunner: CommandRunner {
    public let inner: any CommandRunner

    public init(_ inner: any CommandRunner) {
        self.inner = inner
    }

    /// An allowlist, not a denylist: `journalctl` has many options that write (`--update-catalog`,
    /// `--setup-keys`, `--relinquish-var`, `--vacuum-*`, …), so only the exact shape
    /// `JournaldKernelLog` builds passes: `--directory DIR` first, then only the options below.
    static func isReadOnly(_ argv: [String]) -> Bool {
        guard argv.count >= 3, argv[0] == "journalctl", argv[1] == "--directory" else { return false }
        let flags: Set<String> = ["-k", "--no-pager", "--reverse"]
        let withValue: [String: (String) -> Bool] = [
            "-o": { $0 == "json" },
            "--since": { $0.hasPrefix("@") }, "--until": { $0.hasPrefix("@") },
        ]
        var index = 3
        while index < argv.count {
            let option = argv[index]
            if flags.contains(option) { index += 1; continue }
            guard let valid = withValue[option], index + 1 < argv.count, valid(argv[index + 1]) else { return false }
            index += 2
        }
        return true
    }

    public func run(_ argv: [String], environment: [String: String], timeout: Duration, outputLimit: Int) async throws(CommandError) -> CommandResult {
        guard Self.isReadOnly(argv) else {
            throw CommandError(argv: argv, message: "simulated: the root is not this machine; not running programs here")
        }
        return try await inner.run(argv, environment: environment, timeout: timeout, outputLimit: outputLimit)
    }

    public func isAvailable(_ program: String) -> Bool { inner.isAvailable(program) }
}
