import CtfixCore
import Foundation
import Testing

/// `scripts/install.sh`, the documented way onto a host: a static release build installed into
/// a temporary prefix, then the installed binary run as a user would. The build output is kept
/// in `.build-release` (git-ignored), so after the first run (≈5 minutes on two cores) this
/// suite takes seconds; CI runs it too, because nothing else proves the install command works.
@Suite(.serialized) struct InstallTests {
    static let script = PackagePaths.root.appendingPathComponent("scripts/install.sh").path

    static func install(_ arguments: [String], timeout: Duration = .seconds(1800)) async throws -> CommandResult {
        try await DeployTools.run(["/bin/bash", script] + arguments, timeout: timeout)
    }

    static var swiftAvailable: Bool { DeployTools.available("swift") }

    @Test func badArgumentsAreRefusedBeforeBuilding() async throws {
        let missing = try await Self.install(["--prefix"], timeout: .seconds(30))
        #expect(missing.exitStatus == 2)
        #expect(missing.standardError.contains("--prefix needs a directory"))
        let unknown = try await Self.install(["--perfix", "/tmp/x"], timeout: .seconds(30))
        #expect(unknown.exitStatus == 2)
        #expect(unknown.standardError.contains("unknown argument '--perfix'"))
        let help = try await Self.install(["--help"], timeout: .seconds(30))
        #expect(help.exitStatus == 0)
        #expect(help.standardOutput.contains("scripts/install.sh [--prefix DIR]"))
    }

    @Test(.enabled(if: swiftAvailable, "needs the Swift toolchain to build the release binary"))
    func installsAStaticBinaryThatFindsItsPlaybooks() async throws {
        // Not in /tmp: as root, ctfix refuses playbooks installed under a mode-1777 directory.
        let prefix = try TrustedScratch.directory("ctfix-prefix")
        // The installed binary is 66 MB: do not leave one behind per test run.
        defer { try? FileManager.default.removeItem(atPath: prefix) }
        let systemd = "\(prefix)/units"
        let result = try await Self.install(["--prefix", prefix, "--systemd-dir", systemd])
        #expect(result.exitStatus == 0, "\(result.standardOutput)\(result.standardError)")
        let binary = "\(prefix)/bin/ctfix"

        let version = try await DeployTools.run([binary, "--version"])
        #expect(version.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == CtfixVersion.current)
        // The server beside it (PREFIX/libexec/ctfix): `ctfix serve` reaches it (66: its config is missing).
        #expect(FileManager.default.isExecutableFile(atPath: "\(prefix)/libexec/ctfix/ctfix-serve"))
        let serve = try await DeployTools.run([binary, "serve", "--config", "\(prefix)/none.yaml", "--root", prefix])
        #expect(serve.exitStatus == 66, "\(serve.standardError)")

        // `ctfix list` finds the shipped playbooks in PREFIX/share/ctfix/playbooks, next to the binary.
        var environment = ProcessInfo.processInfo.environment
        environment["CTFIX_PLAYBOOKS"] = nil
        let list = try await RealKernel.runner.run([binary, "list", "--json"], environment: environment, timeout: .seconds(30), outputLimit: 1 << 20)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(list.standardOutput.utf8)) as? [String: Any])
        let playbooks = try #require(report["playbooks"] as? [[String: Any]])
        let shipped = try FileManager.default.contentsOfDirectory(atPath: PackagePaths.root.appendingPathComponent("playbooks").path)
            .filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted()
        let installed = playbooks.filter { $0["origin"] as? String == "installed" }
        #expect(installed.compactMap { $0["name"] as? String }.sorted() == shipped)
        for entry in installed {
            #expect((entry["path"] as? String)?.hasPrefix("\(prefix)/share/ctfix/playbooks/") == true)
            #expect(entry["error"] == nil)
            #expect(entry["refused"] == nil)
        }

        // The installed binary runs the main job by name, from anywhere.
        let dryRun = try await DeployTools.run([binary, "run", "table-full", "--dry-run", "--root", try ExampleHostsPaths.copy("centos5-ip-conntrack"),
                                                "--audit-log", "\(prefix)/audit.jsonl"])
        #expect(dryRun.exitStatus == 0, "\(dryRun.standardError)")
        #expect(dryRun.standardOutput.contains("16640 → 65536"))

        // Static Swift runtime: no libswift*.so, no Foundation or dispatch shared libraries.
        if DeployTools.find("ldd") != nil {
            let ldd = try await DeployTools.run([DeployTools.find("ldd")!, binary])
            #expect(ldd.exitStatus == 0)
            #expect(!ldd.standardOutput.contains("libswift"), "\(ldd.standardOutput)")
            #expect(!ldd.standardOutput.contains("libFoundation"), "\(ldd.standardOutput)")
            #expect(!ldd.standardOutput.contains("libdispatch"), "\(ldd.standardOutput)")
        }

        // Man page and completions generated from the command line itself.
        let manual = try String(contentsOfFile: "\(prefix)/share/man/man1/ctfix.1", encoding: .utf8)
        #expect(manual.contains(".Dt CTFIX 1"))
        #expect(manual.contains(".It Em run"))
        let bash = try String(contentsOfFile: "\(prefix)/share/bash-completion/completions/ctfix", encoding: .utf8)
        #expect(bash.contains("complete") && bash.contains("ctfix"))
        #expect(FileManager.default.fileExists(atPath: "\(prefix)/share/zsh/site-functions/_ctfix"))
        #expect(FileManager.default.fileExists(atPath: "\(prefix)/share/fish/vendor_completions.d/ctfix.fish"))

        // Units name the installed binary, and systemd accepts them as installed.
        for unit in ["ctfix-watch.service", "ctfix-serve.service"] {
            let text = try String(contentsOfFile: "\(systemd)/\(unit)", encoding: .utf8)
            #expect(text.contains("ExecStart=\(binary) "))
            #expect(!text.contains("/usr/local/bin/ctfix"))
            if let analyze = DeployTools.find("systemd-analyze") {
                let verify = try await DeployTools.run([analyze, "verify", "--man=no", "\(systemd)/\(unit)"])
                #expect(verify.exitStatus == 0 && verify.standardError.isEmpty, "\(verify.standardError)")
            }
        }
    }
}
