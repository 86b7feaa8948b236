import Synchronization

/// Collects output in memory, for tests and for embedding ctfix in another program.
public final class CapturedOutput: OutputSink {
    private let state = Mutex<(out: String, err: String)>(("", ""))
    public init() {}
    public func write(_ text: String) { state.withLock { $0.out += text } }
    public func writeError(_ text: String) { state.withLock { $0.err += text } }
    public var standardOutput: String { state.withLock { $0.out } }
    public var standardError: String { state.withLock { $0.err } }
}
