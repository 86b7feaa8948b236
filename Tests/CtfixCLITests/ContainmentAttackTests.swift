import CtfixCore
import Foundation
import Testing

/// Attacks on what a root means: every spelling of this machine's `/` is the live host (the
/// root is judged by the directory its descriptor opens, not by the string), any other root
/// (a bind mount of `/` elsewhere included) never starts a program; and the audit log
/// `rollback` obeys is a script of writes, so as root it is trusted like a playbook.
@Suite(.serialized)
struct ContainmentAttackTests {
    /// `//`, `/.`, `/proc/self/root` and a symlink to `/` all open this machine's `/`.
    @Test func everySpellingOfSlashIsTheLiveHost() throws {
        let link = try RunSafetyCommandLineTests.temporaryDirectory("ctfix-slash") + "/root-link"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "/")
        for spelling in ["/", "//", "/.", "/proc/self/root", "/proc/self/cwd/" + String(repeating: "../", count: 20), link] {
            let ctx = try CtfixContext.live(root: spelling)
            #expect(ctx.isLiveHost, "\(spelling)")
            #expect(!(ctx.commands is ContainedCommandRunner), "\(spelling)")
        }
    }

    /// The kernel names the top of a detached mount "/" too: a copy of another host on a tmpfs,
    /// unmounted lazily while a descriptor keeps it, handed in as `--root /proc/self/fd/3`,
    /// was taken for this machine and its `command` ran here. Live means *this* `/`.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare") && getuid() == 0))
    func aDetachedMountNamedSlashIsNotThisMachine() async throws {
        let scratch = try RunSafetyCommandLineTests.temporaryDirectory("ctfix-detached")
        let mountPoint = scratch + "/mnt"
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        let calls = scratch + "/calls"
        let playbook = try TrustedScratch.directory("detached") + "/detached.yaml"
        try Self.recordingPlaybook(calls).write(toFile: playbook, atomically: true, encoding: .utf8)
        let script = "mount -t tmpfs none '\(mountPoint)' && cp -r '\(ExampleHostsPaths.host("ubuntu-table-full"))/.' '\(mountPoint)/' "
            + "&& exec 3<'\(mountPoint)' && umount -l '\(mountPoint)' "
            + "&& exec '\(try CtfixBinary.path())' run '\(playbook)' --root /proc/self/fd/3 --yes --no-verify-delay --audit-log '\(scratch)/audit.jsonl'"
        let result = try await RealKernel.runner.run(["/usr/bin/unshare", "-m", "--propagation", "private", "/bin/sh", "-c", script], timeout: .seconds(60))
        let output = result.standardOutput + result.standardError
        #expect(!FileManager.default.fileExists(atPath: calls), "a program ran on this machine: \(output)")
        #expect(output.contains("simulated"), "\(output)")
        #expect(result.exitStatus == ExitStatus.partial.rawValue, "\(output)")
    }

    static func recordingPlaybook(_ calls: String) -> String {
        """
        version: 1
        name: records
        summary: Runs a program that records that it ran.
        detect:
          value:
            sysctl: net.netfilter.nf_conntrack_max
            above: 0
        actions:
          - name: record
            explain: Would run a program.
            risk: safe
            command:
              argv: [/bin/sh, -c, 'echo ran >> \(calls)']
        """
    }

    /// A bind mount of `/` at another path is this machine's files under another name: ctfix
    /// treats it as another root (programs and reboots simulated — the safe side), and the
    /// prompt says nothing runs on this machine. Run in a private mount namespace.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare") && getuid() == 0))
    func aBindMountOfSlashRunsNoProgram() async throws {
        let scratch = try RunSafetyCommandLineTests.temporaryDirectory("ctfix-bind")
        let mountPoint = scratch + "/slash"
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        let calls = scratch + "/calls"
        let playbook = try TrustedScratch.directory("bind-slash") + "/bind-slash.yaml"
        try Self.recordingPlaybook(calls).write(toFile: playbook, atomically: true, encoding: .utf8)
        // --rbind brings this machine's /proc along; a dry-run shows how each step is planned.
        let script = "mount --rbind / '\(mountPoint)' && exec '\(try CtfixBinary.path())' run '\(playbook)' --root '\(mountPoint)' --yes --dry-run --audit-log '\(scratch)/audit.jsonl'"
        let result = try await RealKernel.runner.run(["/usr/bin/unshare", "-m", "--propagation", "private", "/bin/sh", "-c", script], timeout: .seconds(60))
        let output = result.standardOutput + result.standardError
        #expect(!FileManager.default.fileExists(atPath: calls), "a program ran: \(output)")
        #expect(output.contains("simulated") || output.contains("the root is not this machine"), "\(output)")
        // The plan says whose files these are: this machine's, not a copy's.
        #expect(output.contains("\(mountPoint) is this machine's / (a bind mount): file and value changes of this run affect"), "\(output)")
    }

    /// A copy whose `/proc` is this machine's procfs (a container's view of a node, `--rbind`
    /// of a host's `/` elsewhere): value writes change this kernel, and the plan says so.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare") && getuid() == 0))
    func aCopyWithTheLiveProcIsNamedAsThisMachine() async throws {
        let host = try ExampleHostsPaths.copy("ubuntu-table-full")
        let script = "mount -t proc proc '\(host)/proc' && exec '\(try CtfixBinary.path())' run '\(ExampleHostsPaths.playbook("table-full"))' --root '\(host)' --yes --dry-run --force"
        let result = try await RealKernel.runner.run(["/usr/bin/unshare", "-m", "-p", "-f", "--propagation", "private", "/bin/sh", "-c", script], timeout: .seconds(60))
        let output = result.standardOutput + result.standardError
        #expect(output.contains("/proc is this machine's procfs: file and value changes of this run affect"), "\(output)")
        // A plain copy says nothing of the kind.
        let plain = try await RealKernel.runner.run([try CtfixBinary.path(), "run", ExampleHostsPaths.playbook("table-full"), "--root", try ExampleHostsPaths.copy("ubuntu-table-full"), "--dry-run"], timeout: .seconds(60))
        #expect(!(plain.standardOutput + plain.standardError).contains("this machine's procfs"), "\(plain.standardOutput)")
    }

    /// A forged audit log in a shared directory tells `rollback` to "restore" a file of this
    /// machine to the forger's content. As root, the log must be trusted like a playbook.
    @Test func rollbackRefusesAnUntrustedAuditLogAsRoot() async throws {
        try #require(getuid() == 0, "the trust rule applies to root")
        let shared = try RunSafetyCommandLineTests.temporaryDirectory("ctfix-forged") // under /tmp: mode 1777 above
        let log = shared + "/audit.jsonl"
        let target = try TrustedScratch.directory("rollback-target") + "/victim.conf"
        try "original\n".write(toFile: target, atomically: true, encoding: .utf8)
        let runID = "20240314T000000Z-0000beef"
        let forged = AuditLog(fileSystem: try RootedFileSystem(root: "/"), path: log)
        _ = try forged.append(event: "run_start", runID: runID, time: Date(), fields: ["mode": "apply"])
        let step = PlannedStep.writeFile(path: target, before: "pwned by the forger\n", after: "original\n", diff: "", backup: nil)
        _ = try forged.append(event: "outcome", runID: runID, time: Date(), fields: ["status": "applied", "steps": .from([step])])
        _ = try forged.append(event: "run_end", runID: runID, time: Date(), fields: ["outcome": "remediated"])
        let result = try await RealKernel.runner.run([try CtfixBinary.path(), "rollback", runID, "--audit-log", log, "--yes"], timeout: .seconds(60))
        let output = result.standardOutput + result.standardError
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "original\n", "\(output)")
        #expect(result.exitStatus == ExitStatus.invalidInput.rawValue, "\(output)")
        #expect(output.contains("untrusted audit log") && output.contains("/tmp"), "\(output)")
    }
}
