import Foundation

/// What `ctfix serve` decided about one alert; each is an `alert_decision` audit record and a
/// label value of the `ctfix_serve_alerts_total` metric.
public struct AlertDecision: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        /// Durably queued for a run.
        case queued
        /// The same alert occurrence (fingerprint + startsAt) was already queued or run.
        case deduped
        /// The playbook ran recently; its `cooldown` has not passed.
        case cooledDown = "cooled_down"
        /// The playbook used up its attempt budget for the window.
        case overBudget = "over_budget"
        /// Refused by policy before queuing (a parameter's label is missing, the value is invalid…).
        case refused
        /// The alert names another host, or none.
        case notForThisHost = "not_for_this_host"
        /// No route matches the alert's labels.
        case noRoute = "no_route"
        /// A `resolved` notification cancelled the queued, not yet started, run.
        case cancelled
        /// `resolved`, and no queued run to cancel.
        case resolved
    }

    public var kind: Kind
    public var reason: String
    public var route: String?
    public var playbook: String?
    public var jobKey: String?

    public init(_ kind: Kind, _ reason: String, route: String? = nil, playbook: String? = nil, jobKey: String? = nil) {
        self.kind = kind
        self.reason = reason
        self.route = route
        self.playbook = playbook
        self.jobKey = jobKey
    }
}
