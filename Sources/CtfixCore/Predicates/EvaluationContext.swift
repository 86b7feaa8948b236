import Foundation
import Synchronization

/// What a predicate may use while it is evaluated: the host (through `CtfixContext`), the
/// playbook's parameter values, and the invocation's choices (`--log FILE`, a window floor).
public final class EvaluationContext: Sendable {
    public let host: CtfixContext
    /// Resolved numeric parameter values (defaults overridden by `--set`).
    public let parameters: [String: Double]
    /// `--log FILE…`: when set, log predicates read these host-independent files instead of
    /// the host's sources. Paths are on this machine, not under the root.
    public let logFiles: [String]?
    /// Log lines before this instant are ignored whatever the window says (verification after
    /// an action must not be fooled by lines logged before it).
    public let notBefore: Date?
    /// Lines the caller has already read and not yet acted on (`ctfix watch`): when set, `log`
    /// predicates count these instead of reading any source, so "new lines only" is decided by
    /// exact positions rather than by timestamps.
    public let lineEvidence: (any LogLineEvidence)?
    /// The instant windows end at, fixed once per evaluation so all predicates agree.
    public let now: Date

    private let cache = Mutex<[String: CachedValue]>([:])

    public init(host: CtfixContext, parameters: [String: Double] = [:], logFiles: [String]? = nil, notBefore: Date? = nil,
                lineEvidence: (any LogLineEvidence)? = nil) {
        self.host = host
        self.lineEvidence = lineEvidence
        self.parameters = parameters
        self.logFiles = logFiles
        self.notBefore = notBefore
        self.now = host.clock.now()
    }

    /// Reads a host file once per evaluation: several predicates reading `/proc/meminfo` or
    /// `/proc/slabinfo` see the same snapshot, and the file is read once.
    public func cachedText(_ path: String) throws(FileSystemError) -> String {
        if let hit = cache.withLock({ $0[path] }) {
            switch hit {
            case .text(let text): return text
            case .failure(let error): throw error
            }
        }
        do {
            let text = try host.fileSystem.readText(path)
            cache.withLock { $0[path] = .text(text) }
            return text
        } catch {
            cache.withLock { $0[path] = .failure(error) }
            throw error
        }
    }

    enum CachedValue: Sendable {
        case text(String)
        case failure(FileSystemError)
    }
}
