import CtfixCore
import Foundation
import Testing

/// `scripts/build-image.sh` and `examples/deploy/kubernetes/Containerfile`: the DaemonSet's image,
/// built offline from the Debian package, run the way the DaemonSet runs it.
@Suite(.serialized) struct ImageTests {
    static var rootfsBuildable: Bool { DebianPackage.buildable && getuid() == 0 && DeployTools.available("chroot") && DeployTools.available("unshare") }
    static var podmanUsable: Bool { DebianPackage.buildable && getuid() == 0 && DeployTools.available("podman") }

    /// `podman run` options. Debian 12's crun cannot start a container where cgroup v1 and v2 are
    /// mounted together and CAP_SYS_RESOURCE is missing (this project's CI machines); runc can,
    /// given limits no higher than the current ones.
    static var runOptions: [String] {
        var options = ["--rm", "--network", "none", "--read-only"]
        if DeployTools.find("runc") != nil {
            options = ["--runtime", "runc", "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024"] + options
        }
        return options
    }

    @Test(.enabled(if: rootfsBuildable, "needs root, chroot, the Swift toolchain and dpkg-dev"))
    func rootFileSystemRunsWithNothingButItself() async throws {
        let deb = try await DebianPackage.path()
        let rootfs = try TrustedScratch.directory("ctfix-rootfs") + "/root"
        defer { try? FileManager.default.removeItem(atPath: (rootfs as NSString).deletingLastPathComponent) }
        let built = try await DeployTools.run(["/bin/bash", DebianPackage.imageScript, "--deb", deb, "--rootfs", rootfs], timeout: .seconds(300))
        #expect(built.exitStatus == 0, "\(built.standardOutput)\(built.standardError)")
        // No shell, no package manager, no documentation: the binary, its data, its libraries.
        #expect(!FileManager.default.fileExists(atPath: rootfs + "/bin/sh"))
        #expect(!FileManager.default.fileExists(atPath: rootfs + "/usr/share/doc"))
        #expect(FileManager.default.fileExists(atPath: rootfs + "/usr/share/ctfix/playbooks/table-full.yaml"))
        let packages = try String(contentsOfFile: rootfs + "/usr/share/ctfix/image-packages.txt", encoding: .utf8)
        #expect(packages.contains("libc6 "), "\(packages)")
        #expect(!packages.lowercased().contains("swift"), "\(packages)")
        let attributes = try FileManager.default.attributesOfItem(atPath: rootfs + "/etc/ctfix/playbooks")
        #expect((attributes[.posixPermissions] as? Int) == 0o755)

        // As in a container: a private mount namespace with /proc mounted (the Swift runtime reads
        // the arguments from /proc/self/cmdline), nothing else from this machine.
        func inRoot(_ arguments: String) async throws -> CommandResult {
            try await DeployTools.run(["unshare", "--mount", "--fork", "/bin/sh", "-c",
                                       "mount -t proc proc '\(rootfs)/proc' && exec chroot '\(rootfs)' /usr/bin/ctfix \(arguments)"])
        }
        let version = try await inRoot("--version")
        #expect(version.exitStatus == 0, "\(version.standardError)")
        #expect(version.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == CtfixVersion.current)
        let list = try await inRoot("list")
        #expect(list.exitStatus == 0, "\(list.standardError)")
        #expect(list.standardOutput.contains("/usr/share/ctfix/playbooks/table-full.yaml"))
    }

    @Test(.enabled(if: podmanUsable, "needs root, podman, the Swift toolchain and dpkg-dev"))
    func imageBuildsOfflineAndRunsTheDaemonSetsJob() async throws {
        let deb = try await DebianPackage.path()
        let tag = "localhost/ctfix-test:\(UUID().uuidString.prefix(8).lowercased())"
        let built = try await DeployTools.run(["/bin/bash", DebianPackage.imageScript, "--deb", deb, "--tag", tag], timeout: .seconds(600))
        var failure: (any Error)?
        do {
            #expect(built.exitStatus == 0, "\(built.standardOutput)\(built.standardError)")
            try await runImage(tag)
        } catch {
            failure = error
        }
        let removed = try await DeployTools.run(["podman", "rmi", "--force", tag])
        #expect(removed.exitStatus == 0, "\(removed.standardError)")
        if let failure { throw failure }
    }

    private func runImage(_ tag: String) async throws {
        let version = try await DeployTools.run(["podman", "run"] + Self.runOptions + [tag, "--version"])
        #expect(version.exitStatus == 0, "\(version.standardError)")
        #expect(version.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == CtfixVersion.current)

        let list = try await DeployTools.run(["podman", "run"] + Self.runOptions + [tag, "list"])
        #expect(list.exitStatus == 0, "\(list.standardError)")
        #expect(list.standardOutput.contains("/usr/share/ctfix/playbooks/table-full.yaml"))

        // As the DaemonSet runs it: the node's files under /host, the image read-only.
        let host = try ExampleHostsPaths.copy("centos5-ip-conntrack")
        defer { try? FileManager.default.removeItem(atPath: host) }
        let dryRun = try await DeployTools.run(["podman", "run"] + Self.runOptions
            + ["--volume", "\(host):/host", tag, "run", "table-full", "--dry-run", "--root", "/host", "--audit-log", "/tmp/audit.jsonl"])
        #expect(dryRun.exitStatus == 0, "\(dryRun.standardError)")
        #expect(dryRun.standardOutput.contains("16640 → 65536"))

        // The entry point is ctfix: there is no shell to get into.
        let shell = try await DeployTools.run(["podman", "run"] + Self.runOptions + ["--entrypoint", "/bin/sh", tag, "-c", "true"])
        #expect(shell.exitStatus != 0)
    }
}
