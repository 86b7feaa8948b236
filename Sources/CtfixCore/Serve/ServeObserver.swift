import Foundation

/// Hears what serve does, for metrics; the core does not know Prometheus.
public protocol ServeObserver: Sendable {
    func alertDecided(_ kind: AlertDecision.Kind)
    func runFinished(_ outcome: RunOutcome, at time: Date)
    func queueDepthChanged(_ depth: Int)
}

/// An observer that ignores everything (tests, benchmarks).
public struct NoServeObserver: ServeObserver {
    public init() {}
    public func alertDecided(_ kind: AlertDecision.Kind) {}
    public func runFinished(_ outcome: RunOutcome, at time: Date) {}
    public func queueDepthChanged(_ depth: Int) {}
}
