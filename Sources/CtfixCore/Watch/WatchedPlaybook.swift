/// A playbook `ctfix watch` follows, with what makes a new log line worth a full detection:
/// the patterns of its `log` predicates (a line matching none of them cannot change the answer
/// of a log predicate, so only value predicates are left, and those run on the interval).
public struct WatchedPlaybook: Sendable {
    public var playbook: Playbook
    public var parameters: [String: ParameterValue]
    public var logPredicates: [LogPredicate]

    public init(playbook: Playbook, parameters: [String: ParameterValue]) {
        self.playbook = playbook
        self.parameters = parameters
        self.logPredicates = Self.logPredicates(in: playbook.detect)
    }

    /// True when a line counts for one of the playbook's log predicates (a kernel line, or
    /// a facility it opted in) and its message matches that predicate's pattern.
    public func isInterested(in line: KernelLogLine) -> Bool {
        guard line.format != .kmsgContinuation else { return false }
        return logPredicates.contains {
            LogFacilities.accepts(isKernel: line.isKernel, facility: line.facility, $0.facilities) && $0.pattern.matches(line.message)
        }
    }

    static func logPredicates(in predicate: Predicate) -> [LogPredicate] {
        switch predicate {
        case .all(let items), .any(let items): items.flatMap(logPredicates(in:))
        case .not(let inner): logPredicates(in: inner)
        case .leaf(let kind): (kind as? LogPredicate).map { [$0] } ?? []
        }
    }
}
