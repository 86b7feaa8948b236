/// A playbook `ctfix watch` follows, with what makes a new log line worth a full detection:
/// the patterns of its `log` predicates (a line matching none of them cannot change the answer
/// of a log predicate, so only value predicates are left, and those run on the interval).
public struct WatchedPlaybook: Sendable {
    public var playbook: Playbook
    public var parameters: [String: ParameterValue]
    public var logPatterns: [CompiledPattern]

    public init(playbook: Playbook, parameters: [String: ParameterValue]) {
        self.playbook = playbook
        self.parameters = parameters
        self.logPatterns = Self.logPatterns(in: playbook.detect)
    }

    /// True when a kernel message matches one of the playbook's log patterns.
    public func isInterested(in message: String) -> Bool {
        logPatterns.contains { $0.matches(message) }
    }

    static func logPatterns(in predicate: Predicate) -> [CompiledPattern] {
        switch predicate {
        case .all(let items), .any(let items): items.flatMap(logPatterns(in:))
        case .not(let inner): logPatterns(in: inner)
        case .leaf(let kind): (kind as? LogPredicate).map { [$0.pattern] } ?? []
        }
    }
}
