import CtfixCore
import Foundation
import Prometheus
import Synchronization

/// The Prometheus side of `ctfix serve` (`GET /metrics`): alerts by decision, runs by outcome,
/// the last run's time and the queue depth. Uses its own registry (no global metrics system),
/// so tests and several servers in one process do not share counters.
public final class ServeMetrics: ServeObserver, Sendable {
    public let registry: PrometheusCollectorRegistry
    private let alerts: [AlertDecision.Kind: Counter]
    private let runs: [RunOutcome: Counter]
    private let lastRun: Gauge
    private let depth: Gauge
    private let rejections: [Int: Counter]
    private let jobs: [String: Counter]
    /// The same counts as plain numbers, for the `serve_stop` audit record.
    private let tally = Mutex(Tally())

    /// What one server handled, by decision and by job outcome (snake_case keys).
    public struct Tally: Sendable, Equatable {
        public var alerts: [String: Int] = [:]
        public var jobs: [String: Int] = [:]
    }

    /// The counts since this server started.
    public var handled: Tally { tally.withLock { $0 } }
    /// Every outcome a job can end with (`AlertWorker`); anything else counts as `other`.
    public static let jobOutcomes = [RunOutcome.healthy, .dryRun, .remediated, .notRemediated, .failed, .declined, .refused, .busy].map(\.rawValue)
        + ["invalid", "over_budget", "interrupted", "other"]

    public init() {
        let registry = PrometheusCollectorRegistry()
        var alerts: [AlertDecision.Kind: Counter] = [:]
        for kind in AlertDecision.Kind.allCases {
            alerts[kind] = registry.makeCounter(descriptor: Self.name("alerts", "total", "Alerts received, by what ctfix serve decided."),
                                                labels: [("outcome", kind.rawValue)])
        }
        var runs: [RunOutcome: Counter] = [:]
        for outcome in RunOutcome.allCases {
            runs[outcome] = registry.makeCounter(descriptor: Self.name("runs", "total", "Playbook runs started from alerts, by outcome."),
                                                 labels: [("outcome", outcome.rawValue)])
        }
        var rejected: [Int: Counter] = [:]
        for status in [400, 401, 404, 405, 408, 413, 503] {
            rejected[status] = registry.makeCounter(descriptor: Self.name("requests_rejected", "total", "Webhook requests answered with an error status."),
                                                    labels: [("status", String(status))])
        }
        var jobs: [String: Counter] = [:]
        for outcome in Self.jobOutcomes {
            jobs[outcome] = registry.makeCounter(descriptor: Self.name("jobs", "total", "Alert jobs that ended, by outcome (runs and jobs refused before the executor)."),
                                                 labels: [("outcome", outcome)])
        }
        self.jobs = jobs
        self.registry = registry
        self.alerts = alerts
        self.runs = runs
        self.rejections = rejected
        lastRun = registry.makeGauge(descriptor: Self.name("last_run_timestamp", "seconds", "When the last alert-triggered run ended (Unix time)."))
        depth = registry.makeGauge(descriptor: Self.name("queue", "depth", "Alert jobs queued and not yet started."))
    }

    /// `ctfix_serve_<name>_<unit>`.
    static func name(_ name: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "ctfix", subsystem: "serve", metricName: name, unitName: unit, helpText: help)
    }

    public func alertDecided(_ kind: AlertDecision.Kind) {
        alerts[kind]?.increment()
        tally.withLock { $0.alerts[kind.rawValue, default: 0] += 1 }
    }

    public func runFinished(_ outcome: RunOutcome, at time: Date) {
        runs[outcome]?.increment()
        lastRun.set(time.timeIntervalSince1970)
    }

    public func queueDepthChanged(_ depth: Int) { self.depth.set(Double(depth)) }

    public func jobFinished(_ outcome: String) {
        (jobs[outcome] ?? jobs["other"])?.increment()
        tally.withLock { $0.jobs[jobs[outcome] == nil ? "other" : outcome, default: 0] += 1 }
    }

    /// Counts a request answered with an error status.
    public func rejected(status: Int) { rejections[status]?.increment() }

    /// The Prometheus text exposition format.
    public func text() -> String {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}
