import Foundation

/// How many runs one playbook may start from alerts within a window (on disk, survives restarts),
/// so a flapping alert cannot make ctfix hammer a host.
public struct AttemptBudget: Sendable, Equatable {
    public var attempts: Int = 3
    public var per: Duration = .seconds(3600)
    public init(attempts: Int = 3, per: Duration = .seconds(3600)) {
        self.attempts = attempts
        self.per = per
    }
}
