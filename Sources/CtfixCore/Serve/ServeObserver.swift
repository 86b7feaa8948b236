import Foundation

/// Hears what serve does, for metrics; the core does not know Prometheus.
public protocol ServeObserver: Sendable {
    func alertDecided(_ kind: AlertDecision.Kind)
    func runFinished(_ outcome: RunOutcome, at time: Date)
    func queueDepthChanged(_ depth: Int)
    /// Every job's end, whatever it was: a run's outcome, or `invalid`, `over_budget`,
    /// `refused`, `interrupted` for jobs that never reached the executor.
    func jobFinished(_ outcome: String)
}

extension ServeObserver {
    public func jobFinished(_ outcome: String) {}
}

/// An observer that ignores everything (tests, benchmarks).
public struct NoServeObserver: ServeObserver {
    public init() {}
    public func alertDecided(_ kind: AlertDecision.Kind) {}
    public func runFinished(_ outcome: RunOutcome, at time: Date) {}
    public func queueDepthChanged(_ depth: Int) {}
}
