import Foundation
import Testing
@testable import CtfixCore

/// What a killed run leaves besides the audit log — its holder file, its temporary files, its
/// cooldown — and what the next run makes of it. Attacks: a holder naming a dead pid, temp
/// names planted as symlinks to files outside the root or as directories, temp files of live
/// processes, a policy state that cannot be written before the first change.
@Suite struct CrashLeftoversTests {
    /// A pid that no process has (above the kernel's pid_max).
    static let deadPID: Int32 = 999_999_999

    func temporaryDirectory(_ name: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ctfix-\(name)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func theHolderFileGoesWithTheLock() throws {
        let fs = InMemoryFileSystem()
        let lock = HostRunLock(fileSystem: fs)
        var handle: HostRunLockHandle? = try lock.acquire(as: .init(runID: "r1", pid: getpid(), playbook: "table-full", since: Date()), wait: .zero)
        #expect(lock.currentHolder()?.runID == "r1")
        withExtendedLifetime(handle) {}
        handle = nil
        #expect(!fs.exists(HostRunLock.holderPath))
        #expect(lock.currentHolder() == nil)
    }

    @Test func aStaleHolderIsSaidToBeStaleNotTheHolder() throws {
        let fs = InMemoryFileSystem()
        // A killed run's holder file, and somebody else holding the lock without a file of its own yet.
        let stale = HostRunLock.Holder(runID: "killed-run", pid: Self.deadPID, playbook: "table-full", since: Date())
        fs.set(HostRunLock.holderPath, String(decoding: try JSONEncoder.iso.encode(stale), as: UTF8.self))
        let other = try #require(try fs.lockExclusively(HostRunLock.lockPath, wait: .zero))
        #expect {
            _ = try HostRunLock(fileSystem: fs).acquire(as: .init(runID: "r2", pid: getpid(), playbook: "x", since: Date()), wait: .zero)
        } throws: { error in
            "\(error)".contains("a stale holder file names run killed-run, pid \(Self.deadPID), which is no longer running")
        }
        withExtendedLifetime(other) {}
    }

    /// What `watch` names as the holder of a busy lock: never a killed run's file.
    @Test func aBusyLockNamesOnlyALiveHolder() throws {
        let fs = InMemoryFileSystem()
        let other = try #require(try fs.lockExclusively(HostRunLock.lockPath, wait: .zero))
        #expect(HostRunLock(fileSystem: fs).busyHolderText() == HostRunLock.lockPath)
        let stale = HostRunLock.Holder(runID: "killed-run", pid: Self.deadPID, playbook: "table-full", since: Date())
        fs.set(HostRunLock.holderPath, String(decoding: try JSONEncoder.iso.encode(stale), as: UTF8.self))
        let said = HostRunLock(fileSystem: fs).busyHolderText()
        #expect(said.hasPrefix(HostRunLock.lockPath + " (a stale holder file names run killed-run"))
        #expect(!said.hasPrefix("run killed-run"))
        let live = HostRunLock.Holder(runID: "live-run", pid: getpid(), playbook: "table-full", since: Date())
        fs.set(HostRunLock.holderPath, String(decoding: try JSONEncoder.iso.encode(live), as: UTF8.self))
        #expect(HostRunLock(fileSystem: fs).busyHolderText().hasPrefix("run live-run of table-full (pid \(getpid())"))
        withExtendedLifetime(other) {}
    }

    @Test func theNextRunRecognisesAKilledRunsHolderAndAuditsIt() async throws {
        let fs = try ExampleHosts.inMemory("centos5-ip-conntrack")
        let stale = HostRunLock.Holder(runID: "killed-run", pid: Self.deadPID, playbook: "table-full", since: Date())
        fs.set(HostRunLock.holderPath, String(decoding: try JSONEncoder.iso.encode(stale), as: UTF8.self))
        let ctx = try ExampleHosts.context(fs)
        let playbook = try ExampleHosts.playbook("table-full")
        var options = RunOptions()
        options.assumeYes = true
        options.skipVerifyDelay = true
        let report = await Executor(ctx: ctx, playbook: playbook, parameters: try playbook.resolveParameters([:]), options: options).run()
        #expect(report.outcome == .unverified) // a snapshot copy's counters cannot be measured again after the actions
        let cleanup = try #require(try AuditLog(fileSystem: fs).records().first { $0.event == "cleanup" })
        #expect(cleanup.fields["message"]?.stringValue?.contains("run killed-run, pid \(Self.deadPID), which is no longer running") == true)
        #expect(!fs.exists(HostRunLock.holderPath))
    }

    @Test func auditVerifyTellsARunningRunFromAKilledOne() throws {
        let fs = InMemoryFileSystem()
        let log = AuditLog(fileSystem: fs)
        try log.append(event: "run_start", runID: "dead", time: Date(), fields: ["name": "table-full", "pid": .number(Double(Self.deadPID))])
        try log.append(event: "run_start", runID: "live", time: Date(), fields: ["name": "table-full", "pid": .number(Double(getpid()))])
        let handle = try HostRunLock(fileSystem: fs).acquire(as: .init(runID: "live", pid: getpid(), playbook: "table-full", since: Date()), wait: .zero)
        let output = CapturedOutput()
        let status = AuditCommand(action: .verify).run(CtfixContext(fileSystem: fs, output: output))
        #expect(status == .ok)
        #expect(output.standardOutput.contains("run live (pid \(getpid())) is still running"))
        #expect(output.standardOutput.contains("run dead (table-full, started"))
        #expect(output.standardOutput.contains("never ended: interrupted or killed; last record: run_start; no change was recorded as started"))
        withExtendedLifetime(handle) {}
    }

    @Test func leftoverTempFilesOfDeadProcessesGoAndNothingElse() throws {
        let root = try temporaryDirectory("leftovers")
        let outside = try temporaryDirectory("outside")
        defer { try? FileManager.default.removeItem(atPath: root); try? FileManager.default.removeItem(atPath: outside) }
        let manager = FileManager.default
        for directory in ["etc/sysctl.d", "run", "var/lib/ctfix/backups/r1/etc/sysctl.d", "var/log/ctfix"] {
            try manager.createDirectory(atPath: "\(root)/\(directory)", withIntermediateDirectories: true)
        }
        let dead = Self.deadPID
        let doomed = ["etc/sysctl.d/.90-ctfix.conf.ctfix-\(dead)-123", "run/.ctfix.lock.holder.ctfix-\(dead)-9",
                      "var/lib/ctfix/backups/r1/etc/sysctl.d/.90-ctfix.conf.ctfix-\(dead)-77", "var/log/ctfix/.audit.jsonl.head.ctfix-\(dead)-1"]
        let kept = ["etc/sysctl.d/.90-ctfix.conf.ctfix-\(getppid())-5", // a live process (our parent)
                    "etc/sysctl.d/.90-ctfix.conf.ctfix-\(getpid())-6", // this process
                    "etc/sysctl.d/90-ctfix.conf", "etc/sysctl.d/.hidden", "etc/sysctl.d/.x.ctfix-12ab-3"]
        for path in doomed + kept { try "temp".write(toFile: "\(root)/\(path)", atomically: false, encoding: .utf8) }
        // Planted: a symlink with a temp name pointing outside, a directory with a temp name.
        try "precious".write(toFile: "\(outside)/target", atomically: false, encoding: .utf8)
        try manager.createSymbolicLink(atPath: "\(root)/etc/sysctl.d/.evil.ctfix-\(dead)-1", withDestinationPath: "\(outside)/target")
        try manager.createDirectory(atPath: "\(root)/run/.dir.ctfix-\(dead)-2", withIntermediateDirectories: false)
        try manager.createSymbolicLink(atPath: "\(root)/var/lib/ctfix/backups/r2", withDestinationPath: outside)
        try "temp".write(toFile: "\(outside)/.x.ctfix-\(dead)-3", atomically: false, encoding: .utf8)

        let removed = LeftoverTempFiles.sweep(try RootedFileSystem(root: root))
        #expect(Set(removed) == Set(doomed.map { "/" + $0 }))
        for path in doomed { #expect(!manager.fileExists(atPath: "\(root)/\(path)")) }
        for path in kept { #expect(manager.fileExists(atPath: "\(root)/\(path)")) }
        #expect(try String(contentsOfFile: "\(outside)/target", encoding: .utf8) == "precious")
        #expect((try? manager.destinationOfSymbolicLink(atPath: "\(root)/etc/sysctl.d/.evil.ctfix-\(dead)-1")) != nil)
        #expect(manager.fileExists(atPath: "\(root)/run/.dir.ctfix-\(dead)-2"))
        #expect(manager.fileExists(atPath: "\(outside)/.x.ctfix-\(dead)-3"))
    }

    @Test func theCooldownIsOnDiskBeforeTheFirstChange() async throws {
        let fs = try ExampleHosts.inMemory("centos5-ip-conntrack")
        let ctx = try ExampleHosts.context(fs)
        let playbook = try ExampleHosts.playbook("table-full")
        var options = RunOptions()
        options.assumeYes = true
        options.skipVerifyDelay = true
        let executor = Executor(ctx: ctx, playbook: playbook, parameters: try playbook.resolveParameters([:]), options: options)
        #expect(executor.beforeFirstChange() == nil)
        let state = try PolicyState.load(fs)
        #expect(state.lastRunIDs["table-full"] == executor.runID)
        #expect(state.cooldownRemaining(for: "table-full", cooldown: playbook.cooldown, now: Date()) != nil)
        // Later calls of the same run only read.
        fs.denyWrites(PolicyState.path)
        #expect(executor.beforeFirstChange() == nil)
    }

    @Test func aRunThatCannotRecordItsCooldownChangesNothing() async throws {
        let fs = try ExampleHosts.inMemory("centos5-ip-conntrack")
        fs.denyWrites(PolicyState.path)
        let ctx = try ExampleHosts.context(fs)
        let playbook = try ExampleHosts.playbook("table-full")
        var options = RunOptions()
        options.assumeYes = true
        options.skipVerifyDelay = true
        let report = await Executor(ctx: ctx, playbook: playbook, parameters: try playbook.resolveParameters([:]), options: options).run()
        #expect(report.outcome == .refused)
        #expect(report.messages.last?.contains("cooldown cannot be recorded") == true)
        #expect(try fs.readText("/proc/sys/net/ipv4/netfilter/ip_conntrack_max") == "16640\n")
        #expect(!(try AuditLog(fileSystem: fs).records().contains { $0.event == "intent" }))
    }

    @Test func aStateFileFromBeforeTheAttemptRecordStillLoads() throws {
        let fs = InMemoryFileSystem([PolicyState.path: "{\"last_runs\":{\"table-full\":\"2024-03-14T03:12:40Z\"},\"rebooted_boots\":[]}"])
        let state = try PolicyState.load(fs)
        #expect(state.lastRuns["table-full"] != nil)
        #expect(state.lastRunIDs.isEmpty)
    }
}

extension JSONEncoder {
    static var iso: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }
}
