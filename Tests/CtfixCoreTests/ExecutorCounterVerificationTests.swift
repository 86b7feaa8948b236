import Foundation
import Synchronization
import Testing
@testable import CtfixCore

/// The shipped table-full playbook verified by the kernel's drop counters (issue 9 item 2):
/// on a fake host whose counters the test scripts between samples, a run is remediated only
/// when drops stop; when they go on, it is not remediated and says how fast, although the
/// ratio fell below the threshold by arithmetic when max was doubled.
@Suite struct ExecutorCounterVerificationTests {
    static let statPath = "/proc/net/stat/nf_conntrack"
    static let maxPath = "/proc/sys/net/netfilter/nf_conntrack_max"

    /// ubuntu-table-full as a live-like root (no snapshot manifest: the counters are sampled),
    /// where every wait adds 300 drops per CPU while max is still 262144, and afterwards
    /// `dropsAfterFix` per CPU.
    static func run(dropsAfterFix: UInt32) async throws -> (RunReport, ScriptedClock) {
        let fs = try ExampleHosts.inMemory("ubuntu-table-full")
        let manifest = try #require(try SnapshotManifest.read(from: fs))
        try fs.removeFile("/" + SnapshotManifest.fileName)
        try fs.removeFile(RecordedStatSamples.path)
        let drops = Atomic<UInt32>(1_000)
        let clock = ScriptedClock(manifest.capturedAt) { _, _ in
            let raised = ((try? fs.readText(maxPath)).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 0) > 262_144
            let now = drops.add(raised ? dropsAfterFix : 300, ordering: .relaxed).newValue
            let entries: UInt32 = raised ? 262_144 : 262_144
            fs.set(statPath, CounterPredicateTests.file(entries: entries, drops: [now, now]))
        }
        fs.set(statPath, CounterPredicateTests.file(entries: 262_144, drops: [1_000, 1_000]))
        let ctx = CtfixContext(fileSystem: fs, clock: clock, output: CapturedOutput())
        let playbook = try ExampleHosts.playbook("table-full")
        var options = RunOptions()
        options.assumeYes = true
        options.skipVerifyDelay = true
        let report = await Executor(ctx: ctx, playbook: playbook, parameters: try playbook.resolveParameters([:]), options: options).run()
        return (report, clock)
    }

    @Test func dropsThatStopAfterTheFixAreRemediated() async throws {
        let (report, clock) = try await Self.run(dropsAfterFix: 0)
        #expect(report.outcome == .remediated, "\(report.messages)")
        // Detection sampled 5 s, verification 10 s.
        #expect(clock.sleeps == [.seconds(5), .seconds(10)])
        let verification = try #require(report.verification)
        #expect(verification.state == .holds)
        #expect(verification.children.first?.detail.contains("rose by 0 in 10s") == true, "\(verification.children.first?.detail ?? "")")
    }

    @Test func dropsThatGoOnAreNotRemediatedWhateverTheRatioSays() async throws {
        let (report, _) = try await Self.run(dropsAfterFix: 40)
        #expect(report.outcome == .notRemediated, "\(report.messages)")
        let message = try #require(report.messages.last)
        #expect(message.contains("rose by 80 in 10s (8/s)"), "\(message)")
        // The ratio alone would have said fixed: 262144 / 524288 = 50% is below 90%.
        let ratio = try #require(report.verification?.children.last)
        #expect(ratio.kind == "ratio" && ratio.state == .holds, "\(ratio.detail)")
    }
}
