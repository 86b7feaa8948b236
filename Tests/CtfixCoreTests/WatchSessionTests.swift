import Foundation
import Testing
@testable import CtfixCore

/// `ctfix watch --once` in process, on a copy of the seed host: a new table-full line triggers
/// the playbook once, under the unattended policy, audited; a restart does not replay it.
@Suite("Watch: triggering playbooks")
struct WatchSessionTests {
    @Test("a new kernel line triggers one unattended run; the next pass does not replay it")
    func triggersOnce() async throws {
        let host = try WatchTestHost()
        // The first pass only takes the position: the seed's old lines are history.
        #expect(try await host.watchOnce() == .ok)
        #expect(try host.records().allSatisfy { $0.event.hasPrefix("watch_") })
        let state = try WatchState.load(RootedFileSystem(root: host.root))
        #expect(state.files["/var/log/messages"] != nil)

        try host.append(WatchTestHost.kernelLine("ip_conntrack: table full, dropping packet."))
        #expect(try await host.watchOnce() == .ok)
        let records = try host.records()
        let events = records.map(\.event)
        let trigger = try #require(events.firstIndex(of: "watch_trigger"))
        let decision = try #require(events.firstIndex(of: "watch_decision"))
        let intent = try #require(events.firstIndex(of: "intent"))
        #expect(trigger < decision && decision < intent)
        #expect(records[decision].fields["decision"] == "run")
        let start = try #require(records.first { $0.event == "run_start" })
        #expect(start.fields["trigger"] == "watch:/var/log/messages")
        #expect(start.fields["mode"] == "unattended")
        #expect(records.first { $0.event == "watch_run" }?.fields["outcome"] == "remediated")
        #expect(try host.sysctl("net/ipv4/netfilter/ip_conntrack_max") == "65536")

        // A restart with nothing new: no trigger, no second run.
        #expect(try await host.watchOnce() == .ok)
        let after = try host.records()
        #expect(after.filter { $0.event == "run_start" }.count == 1)
        #expect(after.filter { $0.event == "watch_trigger" }.count == 1)
        #expect(try AuditLog(fileSystem: RootedFileSystem(root: host.root)).verify().ok)
    }

    @Test("another program quoting the message is not a kernel line and triggers nothing")
    func ignoresOtherPrograms() async throws {
        let host = try WatchTestHost()
        #expect(try await host.watchOnce() == .ok)
        let formatter = ISO8601DateFormatter()
        try host.append("\(formatter.string(from: Date())) server logger: ip_conntrack: table full, dropping packet.")
        #expect(try await host.watchOnce() == .ok)
        #expect(try !host.records().contains { $0.event == "watch_trigger" || $0.event == "run_start" })
        #expect(try host.sysctl("net/ipv4/netfilter/ip_conntrack_max") == "16640")
    }

    @Test("a second line within the cooldown is audited as skipped, not run again")
    func cooldown() async throws {
        let host = try WatchTestHost()
        #expect(try await host.watchOnce() == .ok)
        try host.append(WatchTestHost.kernelLine("ip_conntrack: table full, dropping packet."))
        #expect(try await host.watchOnce() == .ok)
        try host.append(WatchTestHost.kernelLine("ip_conntrack: table full, dropping packet.", at: Date().addingTimeInterval(1)))
        #expect(try await host.watchOnce() == .ok)
        let records = try host.records()
        #expect(records.filter { $0.event == "run_start" }.count == 1)
        let skip = try #require(records.last { $0.event == "watch_decision" })
        #expect(skip.fields["decision"] == "skip")
        guard case .string(let reason)? = skip.fields["reason"] else { Issue.record("no reason"); return }
        #expect(reason.contains("cooldown 30m"))
    }

    @Test("--dry-run: the run is a dry-run, audited, and nothing changes")
    func dryRun() async throws {
        let host = try WatchTestHost()
        #expect(try await host.watchOnce(dryRun: true) == .ok)
        try host.append(WatchTestHost.kernelLine("ip_conntrack: table full, dropping packet."))
        #expect(try await host.watchOnce(dryRun: true) == .ok)
        let records = try host.records()
        #expect(records.first { $0.event == "run_start" }?.fields["mode"] == "dry_run")
        #expect(records.first { $0.event == "watch_run" }?.fields["outcome"] == "dry_run")
        #expect(try host.sysctl("net/ipv4/netfilter/ip_conntrack_max") == "16640")
    }

    @Test("bad input: a missing playbook is 66, a missing log directory is 66, nothing is written")
    func badInput() async throws {
        let host = try WatchTestHost()
        var options = WatchOptions()
        options.once = true
        #expect(await WatchCommand(paths: [host.root + "/nope.yaml"], options: options).run(try host.context()) == .noInput)
        options.logFiles = ["/var/log/nowhere/kern.log"]
        #expect(await WatchCommand(paths: [host.playbookPath], options: options).run(try host.context()) == .noInput)
        #expect(host.output.standardError.contains("/var/log/nowhere"))
        #expect(try host.records().isEmpty)
    }

    @Test("the position file round-trips, and a malformed one is an error naming it")
    func stateFile() throws {
        let fs = InMemoryFileSystem()
        var state = WatchState()
        state.files["/var/log/messages"] = .init(inode: 42, offset: 1234)
        state.bootID = "b"
        state.kmsgSequence = 99
        state.lastTriggered["table-full"] = Date(timeIntervalSince1970: 1_700_000_000)
        try state.save(fs)
        #expect(try WatchState.load(fs) == state)
        fs.set(WatchState.path, "{not json")
        #expect(throws: FileSystemError.self) { try WatchState.load(fs) }
        do {
            _ = try WatchState.load(fs)
        } catch {
            #expect(error.path == WatchState.path)
        }
    }
}
