import Foundation
import Testing
@testable import CtfixCore

/// `for:` under `ctfix watch`: the streak lives in the watch state, so a watcher restarted
/// half-way through the duration fires when the condition has held for the whole of it, not
/// a whole duration after the restart, and not before.
@Suite struct WatchSustainedTests {
    static let detection = """

        detect:
          value:
            sysctl: net.ipv4.netfilter.ip_conntrack_count
            above: 10000
            for: 2m

        """

    /// The watch test host with the `for:` detection, a scripted clock and its context.
    static func setUp() throws -> (WatchTestHost, Playbook, ScriptedClock, CtfixContext, [WatchedPlaybook]) {
        let host = try WatchTestHost()
        let text = try String(contentsOfFile: host.playbookPath, encoding: .utf8)
        let start = try #require(text.range(of: "\ndetect:\n")), end = try #require(text.range(of: "\nactions:\n"))
        try TrustedScratch.write(String(text[..<start.lowerBound]) + Self.detection + String(text[end.lowerBound...]), to: host.playbookPath)
        let playbook = try PlaybookLoader.parse(String(contentsOfFile: host.playbookPath, encoding: .utf8), file: host.playbookPath)
        let clock = ScriptedClock(Date())
        var ctx = try host.context()
        ctx.clock = clock
        ctx.sleeper = clock
        return (host, playbook, clock, ctx, [WatchedPlaybook(playbook: playbook, parameters: try playbook.resolveParameters([:]))])
    }

    @Test func aForConditionFiresAfterItsDurationAcrossAWatchRestart() async throws {
        let (host, playbook, clock, ctx, watched) = try Self.setUp()
        var options = WatchOptions()
        options.interval = .seconds(30)
        options.logFiles = ["/var/log/messages"]

        func session() throws -> WatchSession {
            WatchSession(ctx: ctx, playbooks: watched, options: options, state: try WatchState.load(ctx.fileSystem))
        }
        var watch = try session()
        #expect(await watch.evaluateAll().isEmpty)
        clock.advance(by: .seconds(30))
        #expect(await watch.evaluateAll().isEmpty)
        watch.saveState()
        // Restart: the streak (30 s so far) is read back; 60 s and 90 s are not yet 2 minutes.
        watch = try session()
        clock.advance(by: .seconds(30))
        #expect(await watch.evaluateAll().isEmpty)
        clock.advance(by: .seconds(30))
        #expect(await watch.evaluateAll().isEmpty)
        clock.advance(by: .seconds(30))
        let runs = await watch.evaluateAll()
        #expect(runs.count == 1, "\(host.output.standardOutput) \(host.output.standardError) \((try? host.records().map { $0.event + ":" + ($0.fields["reason"]?.stringValue ?? "") }) ?? [])")
        // The run's own detection continued the streak instead of sampling 2 minutes again.
        #expect(clock.sleeps.isEmpty)
        let evidence = try #require(try host.records().first { $0.event == "evidence" })
        #expect(evidence.fields["state"] == "holds")
        #expect(try WatchState.load(ctx.fileSystem).sustained[playbook.name]?.isEmpty == false)
    }

    @Test func aWatcherStoppedLongerThanItsGapStartsTheStreakAgain() async throws {
        let (host, _, clock, ctx, watched) = try Self.setUp()
        var options = WatchOptions()
        options.interval = .seconds(30)
        var watch = WatchSession(ctx: ctx, playbooks: watched, options: options, state: WatchState())
        #expect(await watch.evaluateAll().isEmpty)
        watch.saveState()
        clock.advance(by: .seconds(600))
        watch = WatchSession(ctx: ctx, playbooks: watched, options: options, state: try WatchState.load(ctx.fileSystem))
        #expect(await watch.evaluateAll().isEmpty)
        clock.advance(by: .seconds(90))
        #expect(await watch.evaluateAll().isEmpty)
        clock.advance(by: .seconds(30))
        #expect(await watch.evaluateAll().count == 1)
        withExtendedLifetime(host) {}  // its root is deleted when it goes
    }
}
