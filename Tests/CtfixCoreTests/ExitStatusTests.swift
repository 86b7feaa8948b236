import CtfixCore
import Testing

/// issue 10, item 2: 0 for every success, a distinct non-zero status for everything that
/// needs a human, and `--detailed-exitcodes` telling "changed" (2) from "nothing to do" (0).
@Suite struct ExitStatusTests {
    static let successes: Set<RunOutcome> = [.healthy, .dryRun, .remediated]

    @Test(arguments: RunOutcome.allCases)
    func successIsZeroAndEverythingElseIsItsOwnStatus(outcome: RunOutcome) {
        let plain = outcome.exitStatus
        let detailed = outcome.exitStatus(detailed: true)
        if Self.successes.contains(outcome) {
            #expect(plain == .ok, "a set -e script must not stop on \(outcome)")
            #expect(detailed == (outcome == .remediated ? .changed : .ok))
        } else {
            // Needs a human: never 0, never the detailed "changed", the same in both modes, and
            // shared with no other outcome.
            #expect(plain != .ok && plain != .changed, "\(outcome)")
            #expect(detailed == plain, "\(outcome)")
            let others = RunOutcome.allCases.filter { $0 != outcome && !Self.successes.contains($0) }
            #expect(!others.contains { $0.exitStatus == plain }, "\(outcome) shares \(plain)")
            #expect(![ExitStatus.usage, .invalidInput, .noInput, .unknown].contains(plain), "\(outcome) looks like a bad invocation")
        }
    }

    @Test func theDocumentedStatusesAreDistinctAndNamedInSnakeCase() {
        let values = ExitStatus.documented.map(\.rawValue)
        #expect(Set(values).count == values.count)
        for status in ExitStatus.documented {
            #expect(status.name.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "_" }, "\(status)")
        }
        // The old "remediated" status is gone: 10 is not a status anymore.
        #expect(!values.contains(10))
        #expect(ExitStatus.ok.detailed(changed: true, enabled: false) == .ok)
        #expect(ExitStatus.ok.detailed(changed: false, enabled: true) == .ok)
        #expect(ExitStatus.failed.detailed(changed: true, enabled: true) == .failed, "a failure that changed things stays a failure")
    }
}
