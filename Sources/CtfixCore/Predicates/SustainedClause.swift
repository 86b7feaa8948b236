/// `for: DURATION` on a `value`, `ratio` or `counter` predicate: the condition must hold at
/// every evaluation across the duration, as in a Prometheus rule's `for:`. A table that is
/// 91 % full for one scrape is not the incident a table that stays full for five minutes is.
///
/// Without history (`check`, `run`, verification) the condition is evaluated at once and, if
/// it holds, again every `step` until the duration has passed (a countdown on a terminal);
/// the first evaluation that does not hold ends it. With history (`watch`, kept in its state
/// file) each evaluation extends or breaks a streak, and the condition holds once the streak
/// is as long as the duration; a restart keeps the streak unless watch missed evaluations.
public struct SustainedClause: Sendable, Equatable {
    public var duration: DurationValue

    public static let key = "for"
    /// `for:` lies within these bounds (a written value is checked at load, a parameter's
    /// when it is used).
    public static let range: ClosedRange<Duration> = .seconds(1) ... .seconds(86400)

    public init(duration: DurationValue) { self.duration = duration }

    /// Parses an optional `for:` of a predicate mapping.
    public static func parse(from reader: MappingReader, scope: inout ParseScope) -> SustainedClause?? {
        guard let node = reader.optional(key) else { return .some(nil) }
        guard let value = scope.durationValue(node, "for", within: range) else { return nil }
        return .some(SustainedClause(duration: value))
    }

    /// The summary's suffix: " for 5m".
    public var summarySuffix: String { " for \(duration)" }

    /// The interval between evaluations when sampling without history: a tenth of the
    /// duration, at least 1 s and at most 1 m.
    public static func step(for duration: Duration) -> Duration {
        min(max(duration / 10, .seconds(1)), .seconds(60))
    }

    /// Evaluates `once` (one evaluation of the bare condition in a fresh context) as the clause
    /// says. `identity` names the condition in the history store (playbook-independent; the
    /// store is per playbook).
    public func evaluate(identity: String, in context: EvaluationContext,
                         once: @Sendable (EvaluationContext) async -> PredicateResult) async -> PredicateResult {
        let first = await once(context)
        let duration: Duration
        switch self.duration.resolve(context.parameters, key: "for", within: Self.range) {
        case .success(let value): duration = value
        case .failure(let failure):
            return Self.with(first, state: .unknown, detail: "\(first.detail); \(failure.message)")
        }
        let shown = DurationText.format(duration)
        if let history = context.sustainedHistory {
            return history.record(identity: identity, result: first, duration: duration, at: context.host.clock.now())
        }
        guard first.state == .holds else { return first }
        if (try? SnapshotManifest.read(from: context.host.fileSystem)) != nil {
            // A snapshot is one moment: its files do not change however long one waits.
            return Self.with(first, state: .unknown, detail: "\(first.detail); holds at the snapshot's moment, but a snapshot cannot show that it held for \(shown)")
        }
        let step = Self.step(for: duration)
        var evaluations = 1
        var last = first
        // Time is counted in waits completed, not by the clock: a fixed clock (`--now`) would
        // otherwise never let the duration pass.
        var elapsed: Duration = .zero
        while true {
            if elapsed >= duration { break }
            let wait = min(step, duration - elapsed)
            guard await context.wait(wait, doing: "checking that it holds for \(shown)") else {
                return Self.with(last, state: .unknown, detail: "\(last.detail); interrupted after \(evaluations) evaluation\(evaluations == 1 ? "" : "s") of for \(shown)")
            }
            elapsed += wait
            last = await once(context.renewed())
            evaluations += 1
            guard last.state == .holds else {
                let held = DurationText.format(elapsed)
                let detail = last.state == .unknown ? "\(last.detail); held for \(held) of \(shown), then could not be evaluated"
                    : "\(last.detail); held for \(held) of \(shown), then stopped holding"
                return Self.with(last, state: last.state, detail: detail)
            }
        }
        return Self.with(last, state: .holds, detail: "\(last.detail); held at all \(evaluations) evaluations across \(shown)")
    }

    static func with(_ result: PredicateResult, state: PredicateResult.State, detail: String) -> PredicateResult {
        var copy = result
        copy.state = state
        copy.detail = detail
        return copy
    }
}
