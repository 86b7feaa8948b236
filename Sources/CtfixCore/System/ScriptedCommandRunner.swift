import Synchronization

/// A command runner that answers from a script and records what was asked, so tests can
/// assert both what ctfix ran and that a dry-run ran nothing.
public final class ScriptedCommandRunner: CommandRunner {
    public typealias Responder = @Sendable ([String]) -> CommandResult?
    private let responder: Responder
    private let available: Set<String>
    private let log = Mutex<[[String]]>([])

    /// `available` lists the programs `isAvailable` reports; `responder` answers each argv
    /// (nil: the program "does not exist").
    public init(available: Set<String> = [], responder: @escaping Responder = { _ in nil }) {
        self.available = available
        self.responder = responder
    }

    public var invocations: [[String]] { log.withLock { $0 } }

    public func isAvailable(_ program: String) -> Bool { available.contains(program) }

    public func run(_ argv: [String], environment: [String: String], timeout: Duration, outputLimit: Int) async throws(CommandError) -> CommandResult {
        log.withLock { $0.append(argv) }
        guard let result = responder(argv) else {
            throw CommandError(argv: argv, message: "not found (scripted)")
        }
        return result
    }
}
