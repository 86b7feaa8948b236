import CtfixCore
import Foundation
import Testing

/// `ctfix serve` replaces itself with `ctfix-serve` (the server is linked only there). Attacks
/// on that hand-over: the helper missing, writable by others, owned by another user, a symbolic
/// link or a directory planted in its place — each refused with one clear line and exit 69,
/// nothing executed, nothing audited; and the hand-over itself keeps the process ID (a systemd
/// unit or a supervisor signals the process it started) and the arguments.
@Suite(.serialized) struct ServeLauncherTests {
    let directory: String

    init() throws {
        directory = try TrustedScratch.directory("ctfix-serve-launch")
    }

    static var built: Bool {
        FileManager.default.isExecutableFile(atPath: PackagePaths.ctfixBinary.path)
            && FileManager.default.isExecutableFile(atPath: PackagePaths.ctfixServeBinary.path)
    }

    /// A directory holding a copy of `ctfix` and, when `helper` is given, something at
    /// `ctfix-serve` made by it.
    func installation(_ helper: ((String) throws -> Void)?) throws -> String {
        let bin = "\(directory)/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: PackagePaths.ctfixBinary.path, toPath: "\(bin)/ctfix")
        try helper?("\(bin)/ctfix-serve")
        return "\(bin)/ctfix"
    }

    func copyHelper(_ path: String) throws {
        try FileManager.default.copyItem(atPath: PackagePaths.ctfixServeBinary.path, toPath: path)
    }

    func run(_ binary: String, _ arguments: [String]) async throws -> CommandResult {
        try await RealKernel.runner.run([binary] + arguments, timeout: .seconds(30))
    }

    static let refusals: [(String, @Sendable (String) throws -> Void)] = [
        ("missing", { _ in }),
        ("writable by others", { path in
            try FileManager.default.copyItem(atPath: PackagePaths.ctfixServeBinary.path, toPath: path)
            chmod(path, 0o757)
        }),
        ("writable by the group", { path in
            try FileManager.default.copyItem(atPath: PackagePaths.ctfixServeBinary.path, toPath: path)
            chmod(path, 0o775)
        }),
        ("owned by another user", { path in
            try FileManager.default.copyItem(atPath: PackagePaths.ctfixServeBinary.path, toPath: path)
            chown(path, 65534, 65534)
        }),
        ("a symbolic link to a script", { path in
            let script = (path as NSString).deletingLastPathComponent + "/evil.sh"
            try "#!/bin/sh\ntouch \(path).ran\n".write(toFile: script, atomically: true, encoding: .utf8)
            chmod(script, 0o755)
            try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: script)
        }),
        ("a directory", { path in try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false) }),
        ("not executable", { path in
            try FileManager.default.copyItem(atPath: PackagePaths.ctfixServeBinary.path, toPath: path)
            chmod(path, 0o644)
        }),
    ]

    @Test(.enabled(if: built, "needs the built ctfix and ctfix-serve"), arguments: 0..<refusals.count)
    func anUntrustedOrMissingHelperIsRefused(case index: Int) async throws {
        let (name, plant) = Self.refusals[index]
        let binary = try installation(plant)
        let audit = "\(directory)/audit.jsonl"
        let result = try await run(binary, ["serve", "--config", "\(directory)/none.yaml", "--root", directory, "--audit-log", audit])
        #expect(result.exitStatus == ExitStatus.unavailable.rawValue, "\(name): \(result.standardError)")
        #expect(result.standardError.hasPrefix("error: cannot start the server: ctfix serve runs ctfix-serve"), "\(name)")
        #expect(result.standardError.contains("\(directory)/bin/ctfix-serve"), "\(name): the message names the path")
        #expect(result.standardError.split(separator: "\n").count == 1, "\(name): one line")
        #expect(!FileManager.default.fileExists(atPath: audit), "\(name): nothing audited")
        #expect(!FileManager.default.fileExists(atPath: "\(directory)/bin/ctfix-serve.ran"), "\(name): the planted program ran")
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test(.enabled(if: built, "needs the built ctfix and ctfix-serve"))
    func theHelperInLibexecIsFoundAsThePackageInstallsIt() async throws {
        let binary = try installation(nil)
        try FileManager.default.createDirectory(atPath: "\(directory)/libexec/ctfix", withIntermediateDirectories: true)
        try copyHelper("\(directory)/libexec/ctfix/ctfix-serve")
        // A config that does not exist: ctfix-serve reads it and says so (66), so it ran.
        let result = try await run(binary, ["serve", "--config", "\(directory)/none.yaml", "--root", directory])
        #expect(result.exitStatus == ExitStatus.noInput.rawValue, "\(result.standardError)")
        #expect(result.standardError.contains("none.yaml"))
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Usage errors, help and bad values are ctfix's own, before anything is executed.
    @Test(.enabled(if: built, "needs the built ctfix and ctfix-serve"))
    func usageErrorsNeverReachTheHelper() async throws {
        let binary = try installation(nil)
        let help = try await run(binary, ["serve", "--help"])
        #expect(help.exitStatus == 0 && help.standardOutput.contains("--insecure-no-auth"))
        let usage = try await run(binary, ["serve"])
        #expect(usage.exitStatus == 64 && usage.standardError.contains("--config"))
        let json = try await run(binary, ["serve", "--json"])
        #expect(json.exitStatus == 64 && json.standardOutput.contains("\"exit_status\""))
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The same process (ID) runs the server: SIGTERM to the PID a supervisor started stops it
    /// cleanly, and its audit log says it started and stopped.
    @Test(.enabled(if: built, "needs the built ctfix and ctfix-serve"))
    func theServerRunsInTheProcessThatWasStarted() async throws {
        try TrustedScratch.write("t0ken\n", to: "\(directory)/token")
        chmod("\(directory)/token", 0o600)
        let playbook = PackagePaths.root.appendingPathComponent("playbooks/table-full.yaml").path
        try TrustedScratch.write("""
            version: 1
            auth: {bearer_token_file: token}
            routes: [{match: {alertname: ConntrackTableNearlyFull}, playbook: \(playbook), mode: dry-run}]

            """, to: "\(directory)/routes.yaml")
        let port = AlertmanagerSupport.freePort()
        let audit = "\(directory)/audit.jsonl"
        let server = try AlertmanagerSupport.Background(
            [PackagePaths.ctfixBinary.path, "serve", "--config", "\(directory)/routes.yaml", "--root", directory,
             "--listen", "127.0.0.1:\(port)", "--audit-log", audit], name: "serve", directory: directory)
        let pid = server.process.processIdentifier
        try await AlertmanagerSupport.waitFor("the server to answer", timeout: .seconds(60)) {
            (try? await AlertmanagerSupport.send("GET", "http://127.0.0.1:\(port)/healthz"))?.status == 200
        }
        let image = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe")
        #expect(image.hasSuffix("/ctfix-serve"), "\(image)")
        let arguments = try String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8).split(separator: "\0").dropFirst()
        #expect(Array(arguments.prefix(3)) == ["serve", "--config", "\(directory)/routes.yaml"])
        let status = await server.stop()
        #expect(status == 0, "\(server.output)")
        let events = AlertmanagerSupport.records(audit).map(\.event)
        #expect(events.first == "serve_start" && events.last == "serve_stop", "\(events)")
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// `Ctfix.configuration` names a super-command while a command line without
/// `--generate-completion-script` is parsed (ArgumentParser then skips parsing it twice more as
/// the completion pseudo-commands). Attacks: every way the flag can be written still produces the
/// script, and no help, usage or error text ever shows the super-command name.
@Suite struct CompletionCheckSkipTests {
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: PackagePaths.ctfixBinary.path), "needs the built ctfix"),
          arguments: [["--generate-completion-script", "bash"], ["--generate-completion-script=zsh"], ["--generate-completion-script", "fish"],
                      ["run", "--generate-completion-script", "bash"]])
    func theCompletionFlagStillWorks(arguments: [String]) async throws {
        let result = try await CtfixBinary.run(arguments)
        #expect(result.exitStatus == 0, "\(arguments): \(result.standardError)")
        #expect(result.standardOutput.contains("ctfix") && result.standardOutput.count > 1000, "\(arguments)")
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: PackagePaths.ctfixBinary.path), "needs the built ctfix"),
          arguments: [["--help"], ["run", "--help"], ["help", "run"], ["run"], ["run", "--bogus"], ["audit", "show", "--help"],
                      ["run", "x", "--json", "--bogus"], ["check"], ["--version"], ["serve", "--help"]])
    func noTextShowsTheSuperCommandName(arguments: [String]) async throws {
        let result = try await CtfixBinary.run(arguments)
        let text = result.standardOutput + result.standardError
        #expect(!text.contains("ctfix ctfix"), "\(arguments): \(text)")
        if arguments.contains("--help") || arguments.first == "help" {
            #expect(text.contains("USAGE: ctfix"), "\(arguments): \(text)")
        }
    }
}
