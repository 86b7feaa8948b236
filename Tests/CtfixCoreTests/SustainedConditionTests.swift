import Foundation
import Synchronization
import Testing
@testable import CtfixCore

/// `for:` with a Prometheus rule's semantics: the condition must hold at every evaluation
/// across the duration. Time is scripted (`ScriptedClock`): the host's count changes
/// "during" the waits, and the test sees every wait ctfix asked for.
@Suite struct SustainedConditionTests {
    static let count = "/proc/sys/net/netfilter/nf_conntrack_count"
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    /// A host whose count follows `counts` (one value per evaluation; the last one repeats).
    static func host(_ counts: [Int], output: CapturedOutput = CapturedOutput(), interactive: Bool = false)
        -> (EvaluationContext, ScriptedClock, InMemoryFileSystem) {
        let fs = InMemoryFileSystem([count: "\(counts[0])\n", "/proc/sys/net/netfilter/nf_conntrack_max": "100\n"])
        let step = Atomic<Int>(0)
        let clock = ScriptedClock(start) { _, _ in
            let next = min(step.add(1, ordering: .relaxed).newValue, counts.count - 1)
            fs.set(count, "\(counts[next])\n")
        }
        let terminal: any Terminal = interactive ? ScriptedTerminal(answers: []) : NoTerminal()
        let ctx = CtfixContext(fileSystem: fs, clock: clock, output: output, terminal: terminal)
        return (EvaluationContext(host: ctx, showsProgress: interactive ? .live : .silent), clock, fs)
    }

    static let sustained = """
        value:
          sysctl: net.netfilter.nf_conntrack_count
          above: 90
          for: 1m
        """

    @Test func holdingAtEveryEvaluationAcrossTheDurationHolds() async throws {
        let output = CapturedOutput()
        let (context, clock, _) = Self.host([95, 96, 97, 99, 98, 97, 96, 95, 94, 93, 92, 91], output: output, interactive: true)
        let result = try await evaluate(Self.sustained, in: context)
        #expect(result.state == .holds)
        #expect(clock.sleeps.reduce(.zero, +) == .seconds(60))
        #expect(clock.sleeps.allSatisfy { $0 == .seconds(6) })
        #expect(result.detail.contains("held at all 11 evaluations across 1m"), "\(result.detail)")
        #expect(result.predicate == "net.netfilter.nf_conntrack_count above 90 for 1m")
        // The countdown was shown and erased.
        #expect(output.standardOutput.contains("checking that it holds for 1m: 6 s…"))
        #expect(output.standardOutput.hasSuffix("\r\u{1B}[K"))
    }

    @Test func oneEvaluationBelowTheThresholdEndsIt() async throws {
        let (context, clock, _) = Self.host([95, 96, 80, 99])
        let result = try await evaluate(Self.sustained, in: context)
        #expect(result.state == .doesNotHold)
        #expect(clock.sleeps.count == 2)
        #expect(result.detail.contains("nf_conntrack_count = 80"))
        #expect(result.detail.contains("held for 12s of 1m, then stopped holding"), "\(result.detail)")
    }

    @Test func aConditionThatDoesNotHoldNowAnswersAtOnce() async throws {
        let (context, clock, _) = Self.host([10])
        let result = try await evaluate(Self.sustained, in: context)
        #expect(result.state == .doesNotHold)
        #expect(clock.sleeps.isEmpty)
    }

    @Test func aReadingThatFailsMidwayIsUnknownNotFalse() async throws {
        let (_, clock, fs) = Self.host([95])
        let failing = ScriptedClock(Self.start) { _, _ in fs.denyAccess(Self.count) }
        _ = clock
        let ctx = CtfixContext(fileSystem: fs, clock: failing)
        let result = try await evaluate(Self.sustained, in: EvaluationContext(host: ctx))
        #expect(result.state == .unknown)
        #expect(result.detail.contains("then could not be evaluated"))
    }

    @Test func anInterruptDuringTheWaitIsUnknown() async throws {
        let (context, clock, _) = Self.host([95])
        clock.interrupted.store(true, ordering: .releasing)
        let result = try await evaluate(Self.sustained, in: context)
        #expect(result.state == .unknown)
        #expect(result.detail.contains("interrupted after 1 evaluation"))
    }

    @Test func notOfASustainedConditionIsItsNegation() async throws {
        let (context, _, _) = Self.host([95, 80])
        let result = try await evaluate("not:\n" + Self.sustained.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"), in: context)
        #expect(result.state == .holds)
    }

    @Test func aDurationParameterSetsTheWindowAndIsBoundedWhereItIsUsed() async throws {
        let yaml = """
            ratio:
              numerator: {sysctl: net.netfilter.nf_conntrack_count}
              denominator: {sysctl: net.netfilter.nf_conntrack_max}
              above: 90%
              for: ${sustain}
            """
        let (context, clock, _) = Self.host([95])
        let withValue = EvaluationContext(host: context.host, parameters: ["sustain": 20])
        let result = try await evaluate(yaml, in: withValue, parameters: ["sustain"])
        #expect(result.state == .holds)
        #expect(clock.sleeps.reduce(.zero, +) == .seconds(20))
        let tooLong = EvaluationContext(host: context.host, parameters: ["sustain": 3 * 86400])
        let refused = try await evaluate(yaml, in: tooLong, parameters: ["sustain"])
        #expect(refused.state == .unknown)
        #expect(refused.detail.contains("for: ${sustain} = 3d is outside 1s…1d"), "\(refused.detail)")
    }

    @Test func aFixedClockCannotMakeTheWaitEndless() async throws {
        // `--now` fixes the clock; the duration is counted in waits, so it still ends.
        let fs = InMemoryFileSystem([Self.count: "95\n"])
        let waits = ScriptedClock(Self.start)
        let ctx = CtfixContext(fileSystem: fs, clock: FixedClock(Self.start), sleeper: waits)
        let result = try await evaluate(Self.sustained, in: EvaluationContext(host: ctx))
        #expect(result.state == .holds)
        #expect(waits.sleeps.reduce(.zero, +) == .seconds(60))
    }

    @Test func aSnapshotCannotShowThatAConditionLasted() async throws {
        let fs = InMemoryFileSystem([Self.count: "95\n", "/ctfix-snapshot.json": #"{"captured_at": "2024-03-14T03:12:40Z", "hostname": "h"}"#])
        let waits = ScriptedClock(Self.start)
        let result = try await evaluate(Self.sustained, in: EvaluationContext(host: CtfixContext(fileSystem: fs, clock: FixedClock(Self.start), sleeper: waits)))
        #expect(result.state == .unknown)
        #expect(result.detail.contains("a snapshot cannot show that it held for 1m"))
        #expect(waits.sleeps.isEmpty)
        fs.set(Self.count, "10\n")
        let quiet = try await evaluate(Self.sustained, in: EvaluationContext(host: CtfixContext(fileSystem: fs, clock: FixedClock(Self.start), sleeper: waits)))
        #expect(quiet.state == .doesNotHold, "not holding now is an answer a snapshot can give")
    }

    // MARK: watch's history

    static func saveAndReload(_ history: SustainedHistory, gap: Duration = .seconds(90)) throws -> SustainedHistory {
        var state = WatchState()
        state.sustained["pb"] = history.saved
        let fs = InMemoryFileSystem()
        try state.save(fs)
        let loaded = try WatchState.load(fs)
        #expect(loaded.sustained == state.sustained)
        return SustainedHistory(loaded.sustained["pb"] ?? [:], maximumGap: gap)
    }

    @Test func watchHistoryFiresOnlyOnceTheStreakIsLongEnoughAndSurvivesARestart() async throws {
        let (context, clock, _) = Self.host([95])
        var history = SustainedHistory(maximumGap: .seconds(90))
        func tick() async throws -> PredicateResult {
            try await evaluate(Self.sustained, in: EvaluationContext(host: context.host, sustainedHistory: history))
        }
        let first = try await tick()
        #expect(first.state == .doesNotHold)
        #expect(first.detail.contains("holds, but only for 0s of 1m"))
        #expect(clock.sleeps.isEmpty)
        clock.advance(by: .seconds(30))
        #expect(try await tick().state == .doesNotHold)
        // watch restarts: the streak is read back from its state file.
        history = try Self.saveAndReload(history)
        clock.advance(by: .seconds(30))
        let fired = try await tick()
        #expect(fired.state == .holds)
        #expect(fired.detail.contains("held at all 3 evaluations across 1m"), "\(fired.detail)")
    }

    @Test func aLongGapOrABreakOrAClockGoingBackRestartsTheStreak() async throws {
        let (context, clock, fs) = Self.host([95])
        let history = SustainedHistory(maximumGap: .seconds(90))
        func tick() async throws -> PredicateResult {
            try await evaluate(Self.sustained, in: EvaluationContext(host: context.host, sustainedHistory: history))
        }
        _ = try await tick()
        clock.advance(by: .seconds(300))
        let afterGap = try await tick()
        #expect(afterGap.state == .doesNotHold)
        #expect(afterGap.detail.contains("no evaluation for 5m"), "\(afterGap.detail)")
        clock.advance(by: .seconds(30))
        fs.set(Self.count, "10\n")
        #expect(try await tick().state == .doesNotHold)
        fs.set(Self.count, "95\n")
        clock.advance(by: .seconds(30))
        #expect(try await tick().detail.contains("only for 0s"))
        clock.advance(by: .seconds(-20))
        let back = try await tick()
        #expect(back.state == .doesNotHold)
        #expect(back.detail.contains("clock went back"))
    }
}
