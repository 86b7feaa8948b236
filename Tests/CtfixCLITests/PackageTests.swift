import CtfixCore
import Foundation
import Testing

/// `scripts/build-deb.sh`: the package is built, judged by lintian, installed with `dpkg -i` on
/// this machine, used as an operator would (from `$PATH`, from `/`, with the shell completions),
/// and purged; afterwards every path it brought must be gone again.
@Suite(.serialized) struct PackageTests {
    static var canInstall: Bool {
        guard DebianPackage.buildable, getuid() == 0, DeployTools.available("dpkg") else { return false }
        // Never replace an operator's ctfix: a machine with one installed runs the build and
        // lintian checks only.
        if FileManager.default.fileExists(atPath: "/usr/bin/ctfix") || FileManager.default.fileExists(atPath: "/var/lib/dpkg/info/ctfix.list")
            || isLink(enablementLink) {
            print("skipping the install test: /usr/bin/ctfix or a ctfix package is already on this machine")
            return false
        }
        return true
    }

    @Test func badArgumentsAreRefusedBeforeBuilding() async throws {
        let revision = try await DeployTools.run(["/bin/bash", DebianPackage.buildScript, "--revision", "1; rm -rf /"], timeout: .seconds(30))
        #expect(revision.exitStatus == 2)
        #expect(revision.standardError.contains("--revision must be a number"))
        let unknown = try await DeployTools.run(["/bin/bash", DebianPackage.buildScript, "--ouput", "/tmp/x"], timeout: .seconds(30))
        #expect(unknown.exitStatus == 2)
        #expect(unknown.standardError.contains("unknown argument '--ouput'"))
        let missing = try await DeployTools.run(["/bin/bash", DebianPackage.imageScript, "--deb", "/nonexistent/ctfix.deb"], timeout: .seconds(30))
        #expect(missing.exitStatus == 2)
        #expect(missing.standardError.contains("--deb /nonexistent/ctfix.deb: no such file"))
        // --rootfs never writes into a directory that already holds something.
        let occupied = try TrustedScratch.directory("ctfix-rootfs")
        defer { try? FileManager.default.removeItem(atPath: occupied) }
        try TrustedScratch.write("keep", to: occupied + "/precious")
        let refused = try await DeployTools.run(["/bin/bash", DebianPackage.imageScript, "--rootfs", occupied], timeout: .seconds(30))
        #expect(refused.exitStatus == 2)
        #expect(refused.standardError.contains("is not empty"))
        #expect(try String(contentsOfFile: occupied + "/precious", encoding: .utf8) == "keep")
    }

    @Test(.enabled(if: DebianPackage.buildable, "needs the Swift toolchain and dpkg-dev to build the package"))
    func packageHoldsWhatItPromisesAndLintianAccepts() async throws {
        let deb = try await DebianPackage.path()
        let contents = try await DebianPackage.contents(deb)
        let paths = Set(contents.map(\.path))
        for expected in ["usr/bin/ctfix", "usr/libexec/ctfix/ctfix-serve", "usr/share/ctfix/playbooks/table-full.yaml", "usr/share/ctfix/playbook.schema.json",
                         "etc/ctfix/playbooks", "usr/share/man/man1/ctfix.1.gz", "usr/share/bash-completion/completions/ctfix",
                         "usr/share/zsh/vendor-completions/_ctfix", "usr/share/fish/vendor_completions.d/ctfix.fish",
                         "lib/systemd/system/ctfix-watch.service", "lib/systemd/system/ctfix-serve.service",
                         "usr/share/doc/ctfix/copyright", "usr/share/doc/ctfix/changelog.Debian.gz",
                         "usr/share/lintian/overrides/ctfix"] {
            #expect(paths.contains(expected), "\(expected) missing from the package")
        }
        let shipped = try FileManager.default.contentsOfDirectory(atPath: PackagePaths.root.appendingPathComponent("playbooks").path)
            .filter { $0.hasSuffix(".yaml") }
        for playbook in shipped { #expect(paths.contains("usr/share/ctfix/playbooks/\(playbook)")) }
        // Every file root's, nothing writable by group or others (as root, ctfix refuses such playbooks).
        for entry in contents {
            #expect(entry.owner == "root/root", "\(entry.path) owned by \(entry.owner)")
            let mode = Array(entry.mode)
            #expect(mode[5] != "w" && mode[8] != "w" || mode[0] == "l", "\(entry.path) is \(entry.mode)")
        }

        let fields = try await DeployTools.run(["dpkg-deb", "-f", deb, "Package", "Version", "Depends", "Architecture"])
        #expect(fields.standardOutput.contains("Package: ctfix"))
        #expect(fields.standardOutput.contains("Version: \(CtfixVersion.current)-1"))
        // The Swift runtime is linked in: the binary needs the C and C++ runtime only.
        #expect(fields.standardOutput.contains("libc6 (>="))
        #expect(!fields.standardOutput.lowercased().contains("swift"))

        // Stripped: no symbol table left in the shipped binary.
        let unpacked = try TrustedScratch.directory("ctfix-deb-x")
        defer { try? FileManager.default.removeItem(atPath: unpacked) }
        #expect(try await DeployTools.run(["dpkg-deb", "-x", deb, unpacked]).exitStatus == 0)
        // The glibc bound is what the binary needs: packed relocations (DT_RELR) need 2.36,
        // which dpkg-shlibdeps does not see (a 2.35 host would install a binary that cannot start).
        let versions = try await DeployTools.run(["readelf", "-V", "\(unpacked)/usr/bin/ctfix"])
        if versions.standardOutput.contains("GLIBC_ABI_DT_RELR") {
            #expect(fields.standardOutput.contains("libc6 (>= 2.36)"), "\(fields.standardOutput)")
        }
        for binary in ["usr/bin/ctfix", "usr/libexec/ctfix/ctfix-serve"] {
            let sections = try await DeployTools.run(["readelf", "-S", "\(unpacked)/\(binary)"])
            #expect(sections.exitStatus == 0)
            #expect(!sections.standardOutput.contains(".symtab"), "\(binary) is not stripped")
        }

        guard DeployTools.available("lintian") else { return }
        // Clean: no error, warning or informational tag except those overridden (each with its reason).
        let lintian = try await DeployTools.run(["lintian", "--info", "--display-info", "--no-tag-display-limit", deb], timeout: .seconds(600))
        let tags = lintian.standardOutput.split(separator: "\n").filter { $0.hasPrefix("E:") || $0.hasPrefix("W:") || $0.hasPrefix("I:") }
        #expect(tags.isEmpty, "lintian: \(lintian.standardOutput)\(lintian.standardError)")
        #expect(lintian.exitStatus == 0, "\(lintian.standardError)")
        let overrides = try String(contentsOfFile: PackagePaths.root.appendingPathComponent("scripts/debian/lintian-overrides").path, encoding: .utf8)
        // Every override follows a comment (a group of overrides may share one); a blank line ends it.
        var justified = false
        for line in overrides.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("#") { justified = true } else if line.isEmpty { justified = false }
            else { #expect(justified, "override without its reason: \(line)") }
        }
    }

    @Test(.enabled(if: canInstall, "needs root, the Swift toolchain, dpkg-dev, and no ctfix already installed"))
    func installsRunsAndPurgesWithoutLeftovers() async throws {
        let deb = try await DebianPackage.path()
        let contents = try await DebianPackage.contents(deb)
        // What the package brings: every path not already on this machine must be gone after the purge.
        let newPaths = contents.map { "/" + $0.path }.filter { $0 != "/" && !FileManager.default.fileExists(atPath: $0) }
        #expect(newPaths.contains("/usr/bin/ctfix"))
        #expect(newPaths.contains("/etc/ctfix/playbooks"))

        let install = try await DeployTools.run(["dpkg", "-i", deb], timeout: .seconds(300))
        var failure: (any Error)?
        do {
            #expect(install.exitStatus == 0, "\(install.standardOutput)\(install.standardError)")
            try await useTheInstalledPackage()
            // An administrator enables the watch unit; the purge must take the link with it.
            if let systemctl = DeployTools.find("systemctl") {
                let enable = try await DeployTools.run([systemctl, "enable", "ctfix-watch.service"])
                #expect(enable.exitStatus == 0, "\(enable.standardError)")
                #expect(Self.isLink(Self.enablementLink))
            }
        } catch {
            failure = error
        }
        let purge = try await DeployTools.run(["dpkg", "--purge", "ctfix"], timeout: .seconds(300))
        #expect(purge.exitStatus == 0, "\(purge.standardOutput)\(purge.standardError)")
        #expect(!purge.standardError.contains("not empty"), "\(purge.standardError)")
        let left = newPaths.filter { FileManager.default.fileExists(atPath: $0) }
        #expect(left.isEmpty, "left behind: \(left)")
        #expect(!FileManager.default.fileExists(atPath: "/etc/ctfix"))
        #expect(!Self.isLink(Self.enablementLink), "\(Self.enablementLink) left dangling")
        #expect(!FileManager.default.fileExists(atPath: "/var/lib/dpkg/info/ctfix.list"))
        let status = try await DeployTools.run(["dpkg-query", "-W", "-f", "${db:Status-Status}", "ctfix"])
        #expect(status.exitStatus != 0 || status.standardOutput == "not-installed")
        if let failure { throw failure }
    }

    static let enablementLink = "/etc/systemd/system/multi-user.target.wants/ctfix-watch.service"

    /// True for a symbolic link, dangling or not (`fileExists` follows links).
    static func isLink(_ path: String) -> Bool { (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) != nil }

    /// An operator's first minutes with the package: from `/`, with `ctfix` found on PATH.
    private func useTheInstalledPackage() async throws {
        // `ctfix version` where the subcommand exists, `--version` on builds without it.
        let version = try await DebianPackage.shell("ctfix version 2>/dev/null || ctfix --version")
        #expect(version.exitStatus == 0)
        #expect(version.standardOutput.contains(CtfixVersion.current), "\(version.standardOutput)")

        // `ctfix` typed from PATH (argv[0] is just "ctfix") still finds /usr/share/ctfix/playbooks.
        let list = try await DebianPackage.shell("ctfix list --json")
        #expect(list.exitStatus == 0, "\(list.standardError)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(list.standardOutput.utf8)) as? [String: Any])
        let playbooks = try #require(report["playbooks"] as? [[String: Any]])
        let tableFull = try #require(playbooks.first { $0["name"] as? String == "table-full" })
        #expect(tableFull["path"] as? String == "/usr/share/ctfix/playbooks/table-full.yaml")
        #expect(tableFull["origin"] as? String == "installed")
        #expect(tableFull["refused"] == nil && tableFull["error"] == nil)

        // The main job, by name, from the installed files, against an example host.
        let host = try ExampleHostsPaths.copy("centos5-ip-conntrack")
        let auditDirectory = try TrustedScratch.directory("ctfix-deb-audit")
        let audit = auditDirectory + "/audit.jsonl"
        defer {
            try? FileManager.default.removeItem(atPath: host)
            try? FileManager.default.removeItem(atPath: auditDirectory)
        }
        let dryRun = try await DebianPackage.shell("ctfix run table-full --dry-run --root '\(host)' --audit-log '\(audit)'")
        #expect(dryRun.exitStatus == 0, "\(dryRun.standardError)")
        #expect(dryRun.standardOutput.contains("16640 → 65536"))
        #expect(dryRun.standardError.contains("using /usr/share/ctfix/playbooks/table-full.yaml"))

        // A local playbook in /etc/ctfix/playbooks is searched first and shadows the shipped one.
        let local = "/etc/ctfix/playbooks/table-full.yaml"
        let shippedText = try String(contentsOfFile: "/usr/share/ctfix/playbooks/table-full.yaml", encoding: .utf8)
        try TrustedScratch.write(shippedText, to: local)
        let shadowing = try await DebianPackage.shell("ctfix list --json")
        try? FileManager.default.removeItem(atPath: local)
        let shadowed = try #require(try JSONSerialization.jsonObject(with: Data(shadowing.standardOutput.utf8)) as? [String: Any])
        let first = try #require((shadowed["playbooks"] as? [[String: Any]])?.first { $0["name"] as? String == "table-full" })
        #expect(first["path"] as? String == local)
        #expect(first["shadows"] as? [String] == ["/usr/share/ctfix/playbooks/table-full.yaml"])

        // `ctfix serve` finds its server in /usr/libexec/ctfix: a config that does not exist is
        // ctfix-serve's no-input error (66), not "cannot start the server" (69).
        let serve = try await DebianPackage.shell("ctfix serve --config /nonexistent/serve.yaml --root '\(host)'")
        #expect(serve.exitStatus == 66, "\(serve.standardError)")
        #expect(!serve.standardError.contains("cannot start the server"), "\(serve.standardError)")

        // A name found nowhere: the error names every directory searched, and changes nothing.
        let missing = try await DebianPackage.shell("ctfix run table-ful --dry-run --audit-log '\(audit)'")
        #expect(missing.exitStatus == 66)
        #expect(missing.standardError.contains("no playbook named 'table-ful'"))
        #expect(missing.standardError.contains("/etc/ctfix/playbooks (system)"))
        #expect(missing.standardError.contains("/usr/share/ctfix/playbooks (installed)"))

        // The units as installed are ones systemd accepts.
        if let analyze = DeployTools.find("systemd-analyze") {
            for unit in ["ctfix-watch.service", "ctfix-serve.service"] {
                let verify = try await DeployTools.run([analyze, "verify", "--man=no", "/lib/systemd/system/\(unit)"])
                #expect(verify.exitStatus == 0 && verify.standardError.isEmpty, "\(verify.standardError)")
            }
        }
        // The man page as installed.
        let manual = try await DebianPackage.shell("MANWIDTH=80 man --warnings -l /usr/share/man/man1/ctfix.1.gz 2>&1 | head -5")
        #expect(manual.standardOutput.contains("ctfix"))

        try await CompletionChecks.all()
    }
}
