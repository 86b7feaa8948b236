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
    /// Streaks of `for:` conditions kept across evaluations (`watch`); nil samples instead.
    public let sustainedHistory: SustainedHistory?
    /// The previous samples of counter files (`watch`); nil samples twice `over:`.
    public let counterSamples: CounterSampleStore?
    /// How waits show themselves: a live countdown (`check`/`run` on a terminal, not
    /// `--json`), one line on standard error (a pipe, `--json`), or nothing (`watch`, `serve`).
    public let showsProgress: WaitNotice

    private let cache = Mutex<[String: CachedValue]>([:])
    private let namespaceCache = Mutex<[NetNamespace]?>(nil)

    public init(host: CtfixContext, parameters: [String: Double] = [:], logFiles: [String]? = nil, notBefore: Date? = nil,
                lineEvidence: (any LogLineEvidence)? = nil, showsProgress: WaitNotice = .silent,
                sustainedHistory: SustainedHistory? = nil, counterSamples: CounterSampleStore? = nil) {
        self.host = host
        self.counterSamples = counterSamples
        self.sustainedHistory = sustainedHistory
        self.showsProgress = showsProgress
        self.lineEvidence = lineEvidence
        self.parameters = parameters
        self.logFiles = logFiles
        self.notBefore = notBefore
        self.now = host.clock.now()
    }

    /// The same evaluation's choices with a fresh file cache and "now": for a condition
    /// evaluated again after a wait, which must read the host again (counters too: without
    /// the caller's samples, each `for:` step measures its own increase).
    public func renewed() -> EvaluationContext {
        EvaluationContext(host: host, parameters: parameters, logFiles: logFiles, notBefore: notBefore,
                          lineEvidence: lineEvidence, showsProgress: showsProgress, sustainedHistory: sustainedHistory)
    }

    /// Waits for a measurement through the context's sleeper, shown as `showsProgress` says
    /// ("sampling drop, early_drop: 7 s…" redrawn on a terminal and erased afterwards, or once
    /// "waiting 10 s for sampling drop, early_drop"). False when interrupted: the caller answers
    /// `unknown`, never a guess.
    public func wait(_ duration: Duration, doing label: String) async -> Bool {
        let sleeper = host.sleeper
        return await showsProgress.wait(duration, output: host.output, line: "for \(label)", live: { "\(label): \($0) s…" }) {
            await sleeper.sleep(for: $0, tick: $1)
        }
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

    /// Every network namespace with a process (`NetNamespaces.discover`), found once per
    /// evaluation so every predicate reads the same set. A root without per-process
    /// directories (an example host, a snapshot) has only the initial namespace.
    public var netNamespaces: [NetNamespace] {
        if let known = namespaceCache.withLock({ $0 }) { return known }
        let found = NetNamespaces.discover(in: host.fileSystem)
        namespaceCache.withLock { $0 = found }
        return found
    }

    enum CachedValue: Sendable {
        case text(String)
        case failure(FileSystemError)
    }
}
