import Foundation
import Testing
@testable import CtfixCore

/// table-full's persistence against hosts where ctfix's own file would lose at boot, where
/// the winning file cannot be edited, where the module is built in, and where another owner
/// rewrites the value: the plan must say what the next boot gives, and edit only what wins.
@Suite struct BootPersistencePlanTests {
    static let maxKey = "net.netfilter.nf_conntrack_max"

    func run(_ fs: any FileSystem, yes: Bool = false) async throws -> RunReport {
        let playbook = try ExampleHosts.playbook("table-full")
        let manifest = try SnapshotManifest.read(from: fs)
        let ctx = CtfixContext(fileSystem: fs, clock: FixedClock(manifest?.capturedAt ?? Date()), output: CapturedOutput(),
                               terminal: NoTerminal(), environment: [:], isLiveHost: false)
        var options = RunOptions()
        options.skipVerifyDelay = true
        if yes { options.assumeYes = true } else { options.dryRun = true }
        return await Executor(ctx: ctx, playbook: playbook, parameters: try playbook.resolveParameters([:]), options: options).run()
    }

    func writtenPaths(_ action: ActionReport) -> [String] {
        action.steps.compactMap { step -> String? in
            if case .writeFile(let path, _, _, _, _) = step.step { return path }
            return nil
        }
    }

    @Test func aNinetyNineFileThatSetsMaxIsEditedInPlaceAndRollbackRestoresEveryByte() async throws {
        let fs = try ExampleHosts.inMemory("ubuntu-table-full")
        let lb = "# load balancer tuning (managed by hand)\nnet.ipv4.ip_forward = 1\n-net.netfilter.nf_conntrack_max=262144\nnet.core.somaxconn = 4096\n"
        fs.set("/etc/sysctl.d/99-lb.conf", lb)
        let before = try Self.files(fs)
        let report = try await run(fs, yes: true)
        #expect(report.outcome == .unverified) // a snapshot copy cannot measure its counters again
        let raise = report.actions[0]
        #expect(raise.notes.contains("after the next boot: net.netfilter.nf_conntrack_max = 524288 (from /etc/sysctl.d/99-lb.conf:3)"))
        #expect(raise.notes.contains("/etc/sysctl.d/99-lb.conf:3 sets net.netfilter.nf_conntrack_max = 262144 and is applied after /etc/sysctl.d/90-ctfix-conntrack.conf at boot: editing its line in place instead of writing /etc/sysctl.d/90-ctfix-conntrack.conf"))
        #expect(try fs.readText("/etc/sysctl.d/99-lb.conf") == "# load balancer tuning (managed by hand)\nnet.ipv4.ip_forward = 1\n-net.netfilter.nf_conntrack_max=524288\nnet.core.somaxconn = 4096\n")
        #expect(!(try fs.readText("/etc/sysctl.d/90-ctfix-conntrack.conf")).contains("nf_conntrack_max"))
        // The boot files now give what the run set.
        #expect(SysctlBootConfig.read(fs).bootSetting(of: Self.maxKey)?.value == "524288")

        let ctx = try ExampleHosts.context(fs)
        #expect(await RollbackCommand(runID: report.runID, assumeYes: true).run(ctx) == .ok)
        let after = try Self.files(fs)
        #expect(after == before)
    }

    @Test func etcSysctlConfWinsAndIsEditedNotCtfixsFile() async throws {
        let fs = try ExampleHosts.inMemory("ubuntu-table-full")
        fs.set("/etc/sysctl.conf", "# site\nnet.netfilter.nf_conntrack_max = 100\n")
        let report = try await run(fs)
        let raise = report.actions[0]
        #expect(raise.notes.contains("after the next boot: net.netfilter.nf_conntrack_max = 524288 (from /etc/sysctl.conf:2)"))
        #expect(writtenPaths(raise).contains("/etc/sysctl.conf"))
        #expect(!writtenPaths(raise).contains("/etc/sysctl.d/90-ctfix-conntrack.conf"))
    }

    @Test(arguments: ["/run/sysctl.d/99-runtime.conf", "/usr/lib/sysctl.d/99-vendor.conf", "/lib/sysctl.d/99-vendor.conf"])
    func aWinnerOutsideEtcIsNeverEditedAndThePlanGivesTheManualStep(_ winner: String) async throws {
        let fs = try ExampleHosts.inMemory("ubuntu-table-full")
        fs.set(winner, "net.netfilter.nf_conntrack_max = 1000\n")
        let report = try await run(fs, yes: true)
        let raise = report.actions[0]
        #expect(raise.status == .applied)
        #expect(raise.notes.contains { $0.hasPrefix("not persisted: \(winner):1 sets net.netfilter.nf_conntrack_max = 1000") && $0.contains("Manual step") })
        #expect(try fs.readText(winner) == "net.netfilter.nf_conntrack_max = 1000\n")
        #expect(!((try? fs.readText("/etc/sysctl.d/90-ctfix-conntrack.conf")) ?? "").contains("nf_conntrack_max"))
        #expect(try fs.readText("/proc/sys/net/netfilter/nf_conntrack_max") == "524288\n")
    }

    @Test func aSameNamedEtcFileMasksTheVendorFileSoCtfixsOwnFileWins() async throws {
        let fs = try ExampleHosts.inMemory("ubuntu-table-full")
        fs.set("/usr/lib/sysctl.d/99-vendor.conf", "net.netfilter.nf_conntrack_max = 1000\n")
        fs.set("/etc/sysctl.d/99-vendor.conf", "# masked\n")
        let raise = try await run(fs).actions[0]
        #expect(raise.notes.contains("after the next boot: net.netfilter.nf_conntrack_max = 524288 (from /etc/sysctl.d/90-ctfix-conntrack.conf:2)"))
    }

    @Test func aPatternThatWinsIsNotRewritten() async throws {
        let fs = try ExampleHosts.inMemory("ubuntu-table-full")
        fs.set("/etc/sysctl.d/99-all.conf", "net.netfilter.nf_conntrack_* = 7\n")
        let raise = try await run(fs).actions[0]
        #expect(raise.notes.contains { $0.hasPrefix("not persisted:") && $0.contains("pattern") })
        #expect(!writtenPaths(raise).contains("/etc/sysctl.d/99-all.conf"))
    }

    /// A symlink planted at the winning file (inside the root, to a file someone else owns):
    /// persistence is refused by name and the linked file is untouched.
    @Test func aSymlinkAtTheWinningFileIsRefusedAndNothingChanges() async throws {
        let root = try ExampleHosts.copy("ubuntu-table-full")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/srv", withIntermediateDirectories: true)
        let target = root + "/srv/owned-elsewhere.conf"
        try "net.netfilter.nf_conntrack_max = 1000\n".write(toFile: target, atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: root + "/etc/sysctl.d/99-zz.conf", withDestinationPath: "/srv/owned-elsewhere.conf")
        let raise = try await run(try RootedFileSystem(root: root), yes: true).actions[0]
        #expect(raise.notes.contains { $0.hasPrefix("not persisted: /etc/sysctl.d/99-zz.conf:1") && $0.contains("symbolic link") })
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "net.netfilter.nf_conntrack_max = 1000\n")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: root + "/etc/sysctl.d/99-zz.conf") == "/srv/owned-elsewhere.conf")
    }

    /// A symlink planted at ctfix's own persist file: the action is refused before anything changes.
    @Test func aSymlinkAtCtfixsFileRefusesTheActionBeforeAnyChange() async throws {
        let root = try ExampleHosts.copy("ubuntu-table-full")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createSymbolicLink(atPath: root + "/etc/sysctl.d/90-ctfix-conntrack.conf", withDestinationPath: "../hostname")
        let hostname = try String(contentsOfFile: root + "/etc/hostname", encoding: .utf8)
        let report = try await run(try RootedFileSystem(root: root), yes: true)
        #expect(report.actions[0].status == .refused)
        #expect(report.actions[0].reason?.contains("symbolic link") == true)
        #expect(try String(contentsOfFile: root + "/proc/sys/net/netfilter/nf_conntrack_max", encoding: .utf8) == "262144\n")
        #expect(try String(contentsOfFile: root + "/etc/hostname", encoding: .utf8) == hostname)
    }

    /// Debian's link: the edit goes to /etc/sysctl.conf itself and the link stays a link.
    @Test func theDebianLinkIsEditedAtItsTarget() async throws {
        let root = try ExampleHosts.copy("ubuntu-table-full")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try "net.netfilter.nf_conntrack_max = 100\n".write(toFile: root + "/etc/sysctl.conf", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: root + "/etc/sysctl.d/99-sysctl.conf", withDestinationPath: "../sysctl.conf")
        let report = try await run(try RootedFileSystem(root: root), yes: true)
        #expect(report.actions[0].notes.contains("after the next boot: net.netfilter.nf_conntrack_max = 524288 (from /etc/sysctl.conf:1)"))
        #expect(try String(contentsOfFile: root + "/etc/sysctl.conf", encoding: .utf8) == "net.netfilter.nf_conntrack_max = 524288\n")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: root + "/etc/sysctl.d/99-sysctl.conf") == "../sysctl.conf")
    }

    static func files(_ fs: InMemoryFileSystem) throws -> [String: String] {
        var result: [String: String] = [:]
        for directory in ["/etc", "/etc/sysctl.d", "/etc/modules-load.d", "/etc/modprobe.d"] {
            for name in (try? fs.listDirectory(directory)) ?? [] {
                let path = directory + "/" + name
                if let text = try? fs.readText(path) { result[path] = text }
            }
        }
        return result
    }
}
