import Foundation

/// Everything ctfix does to the outside world, in one value: the host's files, its clock, the
/// programs it may run, where messages go and the process environment. Commands receive it
/// and never reach around it, so a test (or a dry-run) swaps any part for a scripted fake.
/// Modelled on swiftly's `SwiftlyCoreContext`.
public struct CtfixContext: Sendable {
    public var fileSystem: any FileSystem
    public var clock: any HostClock
    /// How measurements wait (counter samples, `for:`); interruptible, scripted in tests.
    public var sleeper: any Sleeper
    public var commands: any CommandRunner
    public var output: any OutputSink
    /// The operator's terminal, for confirmation prompts.
    public var terminal: any Terminal
    /// The process environment as ctfix sees it (`CTFIX_ROOT`, `SUDO_USER`, `CTFIX_PLAYBOOKS`).
    public var environment: [String: String]
    /// True when host paths resolve at `/` of this very machine (so journald and `/dev/kmsg`
    /// are the live ones); false for a snapshot or example root.
    public var isLiveHost: Bool
    /// Reads and writes per-namespace sysctls in other network namespaces (setns on a live
    /// root, nothing on a snapshot, scripted in tests).
    public var namespaceAccess: any NamespaceSysctlAccess
    /// Colours and live countdowns on standard output (`--color`, `NO_COLOR`, a terminal or
    /// not); `.plain` unless the command line decided otherwise.
    public var style: TerminalStyle = .plain

    public init(fileSystem: any FileSystem, clock: any HostClock = SystemClock(), sleeper: (any Sleeper)? = nil,
                commands: any CommandRunner = NoCommandRunner(), output: any OutputSink = StandardOutputSink(),
                terminal: any Terminal = NoTerminal(),
                environment: [String: String] = [:], isLiveHost: Bool = false,
                namespaceAccess: any NamespaceSysctlAccess = NoNamespaceAccess()) {
        self.namespaceAccess = namespaceAccess
        self.fileSystem = fileSystem
        self.clock = clock
        self.sleeper = sleeper ?? (clock as? any Sleeper) ?? InterruptibleSleeper()
        self.commands = commands
        self.output = output
        self.terminal = terminal
        self.environment = environment
        self.isLiveHost = isLiveHost
    }

    /// The context for a real invocation: the given root (default `/`), real programs, and the
    /// real clock unless `now` is given or the root is a snapshot (then its capture time).
    /// `environment` is the process environment, taken once by the caller
    /// (`ProcessInfo.processInfo.environment` builds a dictionary from `environ` on every call)
    /// and used for everything that reads it: `CTFIX_FORCE_WALK`, `TZ`, `SUDO_UID`…
    public static func live(root: String = "/", now: Date? = nil,
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws(FileSystemError) -> CtfixContext {
        let fileSystem = try RootedFileSystem(root: root, forceWalk: RootedFileSystem.walkForced(environment["CTFIX_FORCE_WALK"]))
        var clock: any HostClock = now.map { FixedClock($0) } ?? SystemClock()
        if now == nil, !fileSystem.root.isEmpty, let manifest = try SnapshotManifest.read(from: fileSystem) {
            clock = FixedClock(manifest.capturedAt)
        }
        let live = fileSystem.root.isEmpty
        let commands: any CommandRunner = live ? SubprocessCommandRunner() : ContainedCommandRunner(SubprocessCommandRunner())
        var ctx = CtfixContext(fileSystem: fileSystem, clock: clock, commands: commands,
                               output: StandardOutputSink(), terminal: ProcessTerminal(), environment: environment,
                               isLiveHost: live, namespaceAccess: live ? SetnsSysctlAccess() : NoNamespaceAccess())
        ctx.style = TerminalStyle.decide(mode: .auto, environment: environment,
                                         standardOutputIsTerminal: isatty(STDOUT_FILENO) == 1, json: false)
        return ctx
    }
}

/// Where human-readable and JSON output goes; a test captures it.
public protocol OutputSink: Sendable {
    func write(_ text: String)
    func writeError(_ text: String)
    /// ctfix's own terminal control sequences (a countdown's `\r`, erase-line); a guarding sink
    /// lets only these through unescaped.
    func writeTerminalControl(_ text: String)
}

extension OutputSink {
    public func writeTerminalControl(_ text: String) { write(text) }
    public func line(_ text: String = "") { write(text + "\n") }
    public func errorLine(_ text: String) { writeError(text + "\n") }
}

/// The process's standard output and standard error. What it wrote is noted in
/// `ProcessOutput` so a `--json` command that ends in an error with nothing on standard output
/// still prints its JSON error object (`JSONErrorReport`).
public struct StandardOutputSink: OutputSink {
    public init() {}
    public func write(_ text: String) {
        ProcessOutput.noteStandardOutput()
        FileHandle.standardOutput.write(Data(text.utf8))
    }
    public func writeError(_ text: String) {
        ProcessOutput.noteStandardError(text)
        FileHandle.standardError.write(Data(text.utf8))
    }
}
