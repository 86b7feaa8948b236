import Foundation
import Synchronization

/// Streaks of `for:` conditions across evaluations, for `ctfix watch` (saved with its state,
/// so a restart does not reset a condition that has held for four of its five minutes).
///
/// A streak starts at the first evaluation that holds and breaks at the first that does not
/// (or cannot be evaluated). A gap between evaluations longer than `maximumGap` breaks it too:
/// nobody looked in between, so "held at every evaluation" would be a guess. A clock that
/// went backwards restarts it.
public final class SustainedHistory: Sendable {
    /// One condition's streak.
    public struct Streak: Codable, Sendable, Equatable {
        /// When the current streak began; nil when the condition does not hold now.
        public var since: Date?
        /// The last evaluation.
        public var last: Date
        public var evaluations: Int

        enum CodingKeys: String, CodingKey { case since, last, evaluations }

        public init(since: Date?, last: Date, evaluations: Int) {
            self.since = since
            self.last = last
            self.evaluations = evaluations
        }
    }

    private let streaks: Mutex<[String: Streak]>
    /// The longest gap between two evaluations a streak survives.
    public let maximumGap: Duration

    public init(_ streaks: [String: Streak] = [:], maximumGap: Duration) {
        self.streaks = Mutex(streaks)
        self.maximumGap = maximumGap
    }

    /// The streaks, to save.
    public var saved: [String: Streak] { streaks.withLock { $0 } }

    /// Records one evaluation of the bare condition and answers for the `for:` clause.
    func record(identity: String, result: PredicateResult, duration: Duration, at now: Date) -> PredicateResult {
        let shown = DurationText.format(duration)
        return streaks.withLock { all in
            let previous = all[identity]
            var note: String?
            var since = previous?.since
            var evaluations = (previous?.evaluations ?? 0) + 1
            if let previous, since != nil {
                let gap = now.timeIntervalSince(previous.last)
                if gap < 0 {
                    note = "the clock went back \(DurationText.format(.seconds(Int64(-gap.rounded())))) since the last evaluation; streak restarted"
                    since = nil
                } else if gap > maximumGap.seconds {
                    note = "no evaluation for \(DurationText.format(.seconds(Int64(gap.rounded())))) (watch stopped?); streak restarted"
                    since = nil
                }
            }
            guard result.state == .holds else {
                all[identity] = Streak(since: nil, last: now, evaluations: 0)
                return result
            }
            if since == nil {
                since = now
                evaluations = 1
            }
            all[identity] = Streak(since: since, last: now, evaluations: evaluations)
            let held = now.timeIntervalSince(since ?? now)
            let heldText = DurationText.format(.seconds(Int64(held.rounded(.down))))
            var copy = result
            // Saved times keep microseconds: a streak read back may start up to half a
            // microsecond later than it did, which must not delay the answer by one evaluation.
            if held >= duration.seconds - 0.001 {
                copy.detail = "\(result.detail); held at all \(evaluations) evaluations across \(heldText) (for \(shown))"
            } else {
                copy.state = .doesNotHold
                copy.detail = "\(result.detail); holds, but only for \(heldText) of \(shown) (\(evaluations) evaluation\(evaluations == 1 ? "" : "s"))"
            }
            if let note { copy.detail += "; \(note)" }
            return copy
        }
    }
}
