import CtfixCore
import Foundation
import Testing

/// The playbook trust rule and the lookup rule, attacked through the real binary as real root:
/// planted playbooks (mode 0666, owned by nobody, in a mode-1777 directory, behind a link), a
/// loosened directory above a playbook, and same-named files in the current directory.
@Suite(.enabled(if: RealKernel.isRoot && FileManager.default.isExecutableFile(atPath: PackagePaths.ctfixBinary.path),
                "needs root and the built ctfix"))
final class TrustCommandLineTests {
    let scratch: String
    let host: String
    static let planted = """
        version: 1
        name: planted
        summary: A playbook someone else could have written.
        detect:
          value:
            sysctl: net.ipv4.netfilter.ip_conntrack_max
            above: 0
        actions:
          - name: touch
            explain: Runs a program.
            risk: safe
            command:
              argv: [touch, SENTINEL]
        """

    init() throws {
        scratch = try TrustedScratch.directory("ctfix-trust-cli")
        host = try ExampleHostsPaths.copy("centos5-ip-conntrack")
    }

    deinit {
        try? FileManager.default.removeItem(atPath: scratch)
        try? FileManager.default.removeItem(atPath: host)
    }

    var sentinel: String { scratch + "/sentinel" }

    /// `ctfix ARGS…` as root, in `cwd`, with SUDO_UID unset unless `environment` sets it.
    func ctfix(_ arguments: [String], cwd: String? = nil, environment: [String: String] = [:]) async throws -> CommandResult {
        var env = ProcessInfo.processInfo.environment
        env["SUDO_UID"] = nil
        env["CTFIX_PLAYBOOKS"] = nil
        env.merge(environment) { $1 }
        let argv = (cwd.map { ["/usr/bin/env", "-C", $0] } ?? []) + [try CtfixBinary.path()] + arguments
        return try await RealKernel.runner.run(argv, environment: env, timeout: .seconds(60), outputLimit: 1 << 20)
    }

    func directory(_ path: String, mode: mode_t = 0o755) throws -> String {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        chmod(path, mode)
        return path
    }

    func plant(_ path: String, name: String = "planted") throws {
        try TrustedScratch.write(Self.planted.replacingOccurrences(of: "SENTINEL", with: sentinel)
            .replacingOccurrences(of: "name: planted", with: "name: \(name)"), to: path)
    }

    @Test("the attack seen: a mode-666 playbook owned by nobody in a mode-1777 directory runs nothing")
    func thePlantedPlaybookIsRefusedByEveryCommand() async throws {
        let shared = try directory(scratch + "/shared", mode: 0o1777)
        let file = shared + "/planted.yaml"
        try plant(file)
        chmod(file, 0o666)
        #expect(chown(file, 65534, 65534) == 0)
        let error = "\(file):1:1: error: untrusted playbook: directory \(shared) is writable by group and others (mode 1777)"

        let run = try await ctfix(["run", file, "--root", host, "--yes", "--allow-destructive", "--no-verify-delay"])
        #expect(run.exitStatus == ExitStatus.invalidInput.rawValue, "\(run.standardOutput)\(run.standardError)")
        #expect(run.standardError.contains(error))
        #expect(run.standardError.contains("fix: move the playbook out of the shared directory \(shared), e.g. to /etc/ctfix/playbooks"))
        let check = try await ctfix(["check", file, "--root", host])
        #expect(check.exitStatus == ExitStatus.unknown.rawValue)
        #expect(check.standardOutput.hasPrefix("CTFIX UNKNOWN - could not evaluate: \(file)"))
        let validate = try await ctfix(["validate", file])
        #expect(validate.exitStatus == ExitStatus.invalidInput.rawValue)
        #expect(validate.standardError.contains(error))
        let watch = try await ctfix(["watch", file, "--root", host, "--once", "--log", "/var/log/messages"])
        #expect(watch.exitStatus == ExitStatus.invalidInput.rawValue)
        #expect(!FileManager.default.fileExists(atPath: sentinel))
        #expect(!((try? String(contentsOfFile: host + "/var/log/ctfix/audit.jsonl", encoding: .utf8)) ?? "").contains("planted"))
    }

    enum Loosening: String, CaseIterable, Sendable {
        case fileWorldWritable, fileGroupWritable, directoryGroupWritable, directorySticky, fileOwner, directoryOwner
    }

    @Test("one loosened file or directory is enough, and the error names it and the fix", arguments: Loosening.allCases)
    func eachLooseningIsRefused(loosening: Loosening) async throws {
        let dir = try directory(scratch + "/a/b")
        let file = dir + "/playbook.yaml"
        try plant(file)
        let (culprit, fix): (String, String)
        switch loosening {
        case .fileWorldWritable: chmod(file, 0o646); (culprit, fix) = (file, "chmod go-w \(file)")
        case .fileGroupWritable: chmod(file, 0o664); (culprit, fix) = (file, "chmod go-w \(file)")
        case .directoryGroupWritable: chmod(scratch + "/a", 0o775); (culprit, fix) = (scratch + "/a", "chmod go-w \(scratch)/a")
        case .directorySticky: chmod(dir, 0o1777); (culprit, fix) = (dir, "move the playbook out of the shared directory \(dir)")
        case .fileOwner: chown(file, 65534, 65534); (culprit, fix) = (file, "chown root \(file)")
        case .directoryOwner: chown(scratch + "/a", 65534, 65534); (culprit, fix) = (scratch + "/a", "chown root \(scratch)/a")
        }
        let validate = try await ctfix(["validate", file])
        #expect(validate.exitStatus == ExitStatus.invalidInput.rawValue, "\(validate.standardError)")
        #expect(validate.standardError.contains("\(file):1:1: error: untrusted playbook: "))
        #expect(validate.standardError.contains(" \(culprit) is "))
        #expect(validate.standardError.contains("fix: \(fix)"))
        let run = try await ctfix(["run", file, "--root", host, "--dry-run"])
        #expect(run.exitStatus == ExitStatus.invalidInput.rawValue)
        if loosening == .fileOwner || loosening == .directoryOwner {
            // The user behind sudo may own the playbook and its directories.
            let asInvoker = try await ctfix(["validate", file], environment: ["SUDO_UID": "65534"])
            #expect(asInvoker.exitStatus == 0, "\(asInvoker.standardError)")
        }
    }

    @Test("a read-only mount gets no exception: it may be writable outside this mount namespace",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare")))
    func aReadOnlyMountIsStillJudgedByItsMode() async throws {
        let mount = try directory(scratch + "/mounted")
        let source = scratch + "/source.yaml"
        try plant(source)
        // In a private mount namespace: a tmpfs of mode 1777, the playbook copied in, then (or
        // not) remounted read-only, as systemd's ProtectSystem=strict or a Kubernetes ConfigMap
        // volume would show it; ctfix validate run on it.
        func validate(readOnly: Bool) async throws -> CommandResult {
            let script = "mount -t tmpfs -o mode=1777 ctfix-test \"$1\" && cp \"$2\" \"$1/planted.yaml\" && chmod 644 \"$1/planted.yaml\""
                + (readOnly ? " && mount -o remount,ro \"$1\"" : "") + " && exec \"$3\" validate \"$1/planted.yaml\""
            return try await RealKernel.runner.run(["/usr/bin/unshare", "-m", "--propagation", "private", "/bin/sh", "-c", script, "sh",
                                                    mount, source, try CtfixBinary.path()], environment: [:], timeout: .seconds(60), outputLimit: 1 << 20)
        }
        for readOnly in [false, true] {
            let result = try await validate(readOnly: readOnly)
            #expect(result.exitStatus == ExitStatus.invalidInput.rawValue, "read-only \(readOnly): \(result.standardError)")
            #expect(result.standardError.contains("directory \(mount) is writable by group and others (mode 1777)"))
        }
    }

    @Test func aLinkedPlaybookIsJudgedWhereItLeads() async throws {
        let shared = try directory(scratch + "/shared", mode: 0o1777)
        try plant(shared + "/planted.yaml")
        let trusted = try directory(scratch + "/trusted")
        try FileManager.default.createSymbolicLink(atPath: trusted + "/planted.yaml", withDestinationPath: shared + "/planted.yaml")
        let run = try await ctfix(["run", trusted + "/planted.yaml", "--root", host, "--yes", "--no-verify-delay"])
        #expect(run.exitStatus == ExitStatus.invalidInput.rawValue)
        #expect(run.standardError.contains("directory \(shared) is writable by group and others (mode 1777)"))
        #expect(!FileManager.default.fileExists(atPath: sentinel))
        // A link to a trusted file is followed.
        chmod(shared, 0o755)
        let validate = try await ctfix(["validate", trusted + "/planted.yaml"])
        #expect(validate.exitStatus == 0, "\(validate.standardError)")
    }

    @Test("a name never picks a file in the current directory")
    func aNameIsLookedUpOnlyInThePlaybookDirectories() async throws {
        let playbooks = try directory(scratch + "/playbooks")
        try TrustedScratch.write(String(contentsOfFile: ExampleHostsPaths.playbook("table-full"), encoding: .utf8), to: playbooks + "/table-full.yaml")
        let cwd = try directory(scratch + "/cwd")
        for name in ["table-full", "table-full.yaml", "planted", "planted.yaml"] { try plant(cwd + "/" + name) }
        let env = ["CTFIX_PLAYBOOKS": playbooks]

        let validate = try await ctfix(["validate", "table-full"], cwd: cwd, environment: env)
        #expect(validate.exitStatus == 0)
        #expect(validate.standardOutput == "\(playbooks)/table-full.yaml: ok (table-full)\n")
        let check = try await ctfix(["check", "table-full", "--root", host, "--json"], cwd: cwd, environment: env)
        #expect(try CtfixBinary.json(check)["playbook"] as? String == "\(playbooks)/table-full.yaml")
        #expect(check.standardError.hasPrefix("using \(playbooks)/table-full.yaml (shadows \(ExampleHostsPaths.playbook("table-full")))"))

        // Found nowhere: not found, with every directory searched, even though ./planted exists.
        let missing = try await ctfix(["validate", "planted"], cwd: cwd, environment: env)
        #expect(missing.exitStatus == ExitStatus.noInput.rawValue)
        #expect(missing.standardError.contains("planted:1:1: error: no playbook named 'planted' in the playbook directories (searched \(playbooks) (CTFIX_PLAYBOOKS), /etc/ctfix/playbooks (system), "))
        #expect(missing.standardError.contains("\(PackagePaths.root.path)/playbooks (checkout)"))
        let run = try await ctfix(["run", "planted", "--root", host, "--yes", "--no-verify-delay"], cwd: cwd, environment: env)
        #expect(run.exitStatus == ExitStatus.noInput.rawValue)
        let checkMissing = try await ctfix(["check", "planted", "--root", host], cwd: cwd, environment: env)
        #expect(checkMissing.exitStatus == ExitStatus.unknown.rawValue)
        #expect(!FileManager.default.fileExists(atPath: sentinel))

        // A path is used as given: with a '/', or ending in .yaml.
        for path in ["./planted.yaml", "planted.yaml", "./planted"] {
            let given = try await ctfix(["validate", path], cwd: cwd, environment: env)
            #expect(given.standardOutput == "\(path): ok (planted)\n", "\(path): \(given.standardError)")
        }
    }

    @Test func listShowsARefusedPlaybookAndServeRefusesAnUntrustedConfig() async throws {
        let playbooks = try directory(scratch + "/playbooks")
        try plant(playbooks + "/planted.yaml")
        chmod(playbooks + "/planted.yaml", 0o666)
        let list = try await ctfix(["list"], environment: ["CTFIX_PLAYBOOKS": playbooks])
        #expect(list.standardOutput.contains("planted  [CTFIX_PLAYBOOKS] \(playbooks)/planted.yaml\n    refused: untrusted playbook: \(playbooks)/planted.yaml is writable by group and others (mode 0666)"))
        let json = try CtfixBinary.json(try await ctfix(["list", "--json"], environment: ["CTFIX_PLAYBOOKS": playbooks]))
        let entry = try #require((json["playbooks"] as? [[String: Any]])?.first { $0["name"] as? String == "planted" })
        #expect((entry["refused"] as? String)?.hasSuffix("fix: chmod go-w \(playbooks)/planted.yaml") == true)

        let config = scratch + "/routes.yaml"
        try TrustedScratch.write("version: 1\nroutes: [{match: {alertname: X}, playbook: \(ExampleHostsPaths.playbook("table-full")), mode: dry-run}]\n", to: config)
        chmod(config, 0o664)
        let serve = try await ctfix(["serve", "--config", config, "--root", host, "--insecure-no-auth", "--listen", "127.0.0.1:1"])
        #expect(serve.exitStatus == ExitStatus.invalidInput.rawValue)
        #expect(serve.standardError.contains("\(config):1:1: error: untrusted serve config: \(config) is writable by group (mode 0664)"))
    }
}
