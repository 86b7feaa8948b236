import Foundation
import Synchronization
import Testing
@testable import CtfixCore

/// Interrupts at every place one can arrive: at a prompt, during the verification delay, while
/// waiting for the host lock, between two steps of one action.
extension ExecutorSafetyTests {
    /// A terminal whose `answers` are given in turn; at the end it behaves like Ctrl-C.
    final class InterruptingTerminal: Terminal {
        let answers: Mutex<[String]>
        let interruption: Interruption
        init(_ answers: [String], interruption: Interruption) {
            self.answers = Mutex(answers)
            self.interruption = interruption
        }
        var isInteractive: Bool { true }
        func ask(_ prompt: String) -> String? {
            answers.withLock { answers in
                if answers.isEmpty { interruption.trigger(SIGINT); return nil }
                return answers.removeFirst()
            }
        }
    }

    @Test func ctrlCAtAPromptEndsInterruptedAndRollsBackWhatWasApplied() async throws {
        let fs = try ExampleHosts.inMemory("centos5-ip-conntrack")
        let interruption = Interruption()
        let playbook = try String(contentsOfFile: ExampleHosts.playbookPath("table-full"), encoding: .utf8)
        let report = try await execute(playbook, fs: fs, terminal: InterruptingTerminal(["y"], interruption: interruption)) {
            $0.interruption = interruption
        }
        #expect(report.outcome == .interrupted)
        #expect(report.outcome.exitStatus.rawValue == 17)
        #expect(report.actions.map(\.status) == [.rolledBack, .notRun])
        #expect(try fs.readText("/proc/sys/net/ipv4/netfilter/ip_conntrack_max") == "16640\n")
        let end = try #require(try AuditLog(fileSystem: fs).records().last)
        #expect(end.event == "run_end")
        #expect(end.fields["outcome"]?.stringValue == "interrupted")
        #expect(report.messages.last?.contains("ip_conntrack_max = 16640 (the value before the run)") == true)
        #expect(!fs.exists(HostRunLock.holderPath), "an interrupted run left its holder file")
    }

    /// An output that asks the run to stop as soon as the last action reports it was applied:
    /// the stop arrives during the verification delay.
    final class StopAfterApplying: OutputSink {
        let interruption: Interruption
        init(_ interruption: Interruption) { self.interruption = interruption }
        func write(_ text: String) { if text.hasPrefix("applied halve-established-timeout") { interruption.trigger(SIGTERM) } }
        func writeError(_ text: String) {}
    }

    @Test func aSignalDuringTheVerifyDelayEndsInterruptedWithTheHostState() async throws {
        let fs = try ExampleHosts.inMemory("centos5-ip-conntrack")
        let interruption = Interruption()
        var playbook = try String(contentsOfFile: ExampleHosts.playbookPath("table-full"), encoding: .utf8)
        playbook = playbook.replacingOccurrences(of: "on_failure: rollback", with: "on_failure: stop")
        let report = try await execute(playbook, fs: fs, output: StopAfterApplying(interruption)) {
            $0.assumeYes = true; $0.skipVerifyDelay = false; $0.interruption = interruption
        }
        #expect(report.outcome == .interrupted)
        #expect(report.verification == nil)
        #expect(report.actions.map(\.status) == [.applied, .applied])
        #expect(try fs.readText("/proc/sys/net/ipv4/netfilter/ip_conntrack_max") == "65536\n")
        let end = try #require(try AuditLog(fileSystem: fs).records().last)
        #expect(end.event == "run_end")
        let held = try #require(end.fields["host_now"].flatMap { value -> [String]? in
            guard case .array(let items) = value else { return nil }
            return items.compactMap(\.stringValue)
        })
        #expect(held.contains("net.ipv4.netfilter.ip_conntrack_max = 65536 (this run's value)"))
        #expect(held.contains("/etc/sysctl.conf: this run's content"))
        #expect(report.messages.last?.contains("interrupted by SIGTERM") == true)
        #expect(!fs.exists(HostRunLock.holderPath), "an interrupted run left its holder file")
    }

    @Test func aStopRequestEndsTheWaitForTheHostLock() async throws {
        let fs = try ExampleHosts.inMemory("centos5-ip-conntrack")
        let holder = HostRunLock.Holder(runID: "other-run", pid: 4242, playbook: "alloc-failure", since: Date())
        let lock = try HostRunLock(fileSystem: fs).acquire(as: holder, wait: .zero)
        let interruption = Interruption()
        interruption.trigger(SIGINT)
        let playbook = try String(contentsOfFile: ExampleHosts.playbookPath("table-full"), encoding: .utf8)
        // An hour of --wait: only the stop request can end this run (it would hang otherwise).
        let report = try await execute(playbook, fs: fs) { $0.assumeYes = true; $0.lockWait = .seconds(3600); $0.interruption = interruption }
        #expect(report.outcome == .interrupted)
        #expect(report.messages.last?.contains("while waiting for the host lock") == true)
        #expect(try AuditLog(fileSystem: fs).records().last?.event == "run_end")
        withExtendedLifetime(lock) {}
    }

    /// Forwards to an in-memory host and asks the run to stop right after the first in-place
    /// write to `path` (a stop that arrives in the middle of an action's steps).
    final class StopAfterWriting: FileSystem {
        let inner: InMemoryFileSystem, path: String, interruption: Interruption
        init(_ inner: InMemoryFileSystem, path: String, interruption: Interruption) { (self.inner, self.path, self.interruption) = (inner, path, interruption) }
        var rootDescription: String { inner.rootDescription }
        func readFile(_ path: String) throws(FileSystemError) -> Data { try inner.readFile(path) }
        func info(_ path: String) throws(FileSystemError) -> FileInfo? { try inner.info(path) }
        func listDirectory(_ path: String) throws(FileSystemError) -> [String] { try inner.listDirectory(path) }
        func openForReading(_ path: String) throws(FileSystemError) -> any RandomAccessReader { try inner.openForReading(path) }
        func realPath(of path: String) -> String? { inner.realPath(of: path) }
        func writeAtomically(_ data: Data, to path: String, mode: Int) throws(FileSystemError) { try inner.writeAtomically(data, to: path, mode: mode) }
        func replaceQuickly(_ data: Data, at path: String) throws(FileSystemError) { try inner.replaceQuickly(data, at: path) }
        func writeInPlace(_ data: Data, to path: String) throws(FileSystemError) {
            try inner.writeInPlace(data, to: path)
            if path == self.path { interruption.trigger(SIGHUP) }
        }
        func appendDurably(_ data: Data, to path: String) throws(FileSystemError) { try inner.appendDurably(data, to: path) }
        func createDirectory(_ path: String) throws(FileSystemError) { try inner.createDirectory(path) }
        func removeFile(_ path: String) throws(FileSystemError) { try inner.removeFile(path) }
        func lockExclusively(_ path: String, wait: Duration) throws(FileSystemError) -> (any HostLockHandle)? { try inner.lockExclusively(path, wait: wait) }
        func truncateFile(_ path: String, toLength length: Int64) throws(FileSystemError) { try inner.truncateFile(path, toLength: length) }
    }

    @Test func aStopBetweenTwoStepsOfOneActionFinishesTheStepAndUndoesIt() async throws {
        let memory = try ExampleHosts.inMemory("centos5-ip-conntrack")
        let interruption = Interruption()
        let fs = StopAfterWriting(memory, path: "/proc/sys/net/ipv4/netfilter/ip_conntrack_max", interruption: interruption)
        let playbook = try PlaybookLoader.parse(try String(contentsOfFile: ExampleHosts.playbookPath("table-full"), encoding: .utf8), file: "table-full.yaml")
        let ctx = CtfixContext(fileSystem: fs, clock: FixedClock(try SnapshotManifest.read(from: memory)?.capturedAt ?? Date()), isLiveHost: false)
        var options = RunOptions()
        options.assumeYes = true
        options.interruption = interruption
        let report = await Executor(ctx: ctx, playbook: playbook, parameters: try playbook.resolveParameters([:]), options: options).run()
        #expect(report.outcome == .interrupted)
        #expect(report.actions[0].reason == "interrupted after 1 of 3 steps")
        // The first step (max) was finished, then undone by on_failure: rollback; the hash size,
        // and the sysctl file were never touched.
        #expect(try memory.readText("/proc/sys/net/ipv4/netfilter/ip_conntrack_max") == "16640\n")
        #expect(try memory.readText("/sys/module/ip_conntrack/parameters/hashsize") == "2080\n")
        #expect(!(try memory.readText("/etc/sysctl.conf")).contains("ip_conntrack"))
        let records = try AuditLog(fileSystem: memory).records()
        #expect(records.contains { $0.event == "outcome" && $0.fields["status"]?.stringValue == "interrupted" })
        #expect(records.contains { $0.event == "rollback_outcome" && $0.fields["status"]?.stringValue == "restored" })
        #expect(records.last?.event == "run_end")
        #expect(report.messages.last?.contains("interrupted by SIGHUP") == true)
    }
}
