import CtfixCore
import Foundation
import Testing

/// The operator's terminal, attacked through the built binary on a real pseudo-terminal and on
/// pipes: colour only where it belongs (never piped, never with `NO_COLOR`, `TERM=dumb`,
/// `--color never` or `--json`), hostile kernel-log text still escaped with colour on, a recap
/// after every way a run ends, a countdown for every wait.
@Suite(.serialized)
struct TerminalExperienceTests {
    static let playbook = ExampleHostsPaths.playbook("table-full")

    static func dryRun(_ host: String, _ extra: [String] = []) throws -> [String] {
        ["run", playbook, "--root", host, "--dry-run", "--audit-log", "\(try TrustedScratch.directory("ux-audit"))/audit.jsonl"] + extra
    }

    /// The recap's line for action `name` (after "RECAP"), or "".
    static func recapLine(_ output: String, _ name: String) -> String {
        guard let recap = output.range(of: "RECAP", options: .backwards) else { return "" }
        return output[recap.upperBound...].split(whereSeparator: \.isNewline).first { $0.contains(name) }.map(String.init) ?? ""
    }

    @Test func colourOnATerminalAndOnlyCtfixsOwnSequences() async throws {
        let host = try ExampleHostsPaths.copy("ubuntu-table-full")
        let result = try await TerminalDriver.run(try Self.dryRun(host))
        #expect(result.exitStatus == 0, "\(result.output)")
        #expect(result.output.contains("\u{1B}[32m[safe]\u{1B}[0m"), "\(result.output)")
        #expect(result.output.contains("detection \u{1B}[1;31mFIRING\u{1B}[0m"))
        #expect(result.output.contains("outcome: \u{1B}[36mdry_run\u{1B}[0m"))
        #expect(TerminalDriver.onlyOwnEscapes(result.output))
    }

    enum Plain: String, CaseIterable, Sendable {
        case noColor, colorNever, dumbTerminal, json
    }

    @Test(arguments: Plain.allCases)
    func noColourOnATerminalWhenTheOperatorSaysSo(_ plain: Plain) async throws {
        let host = try ExampleHostsPaths.copy("ubuntu-table-full")
        var extra: [String] = []
        var environment: [String: String?] = [:]
        switch plain {
        case .noColor: environment["NO_COLOR"] = "1"
        case .colorNever: extra = ["--color", "never"]
        case .dumbTerminal: environment["TERM"] = "dumb"
        case .json: extra = ["--json", "--color", "always"] // JSON stays exact whatever --color says
        }
        let result = try await TerminalDriver.run(try Self.dryRun(host, extra), environment: environment)
        #expect(result.exitStatus == 0, "\(result.output)")
        #expect(!result.output.contains("\u{1B}"), "\(plain): \(result.output)")
        #expect(result.output.contains(plain == .json ? "\"outcome\" : \"dry_run\"" : "outcome: dry_run"))
    }

    @Test func aPipeGetsNoColourUnlessAskedForAlways() async throws {
        let host = try ExampleHostsPaths.copy("ubuntu-table-full")
        let piped = try await TerminalDriver.run(try Self.dryRun(host), terminal: false)
        #expect(piped.exitStatus == 0)
        #expect(!piped.output.contains("\u{1B}") && !piped.standardError.contains("\u{1B}"))
        #expect(piped.output.contains("outcome: dry_run"))
        // `always` is the operator's explicit word: it wins over NO_COLOR (for `less -R`).
        let always = try await TerminalDriver.run(try Self.dryRun(host, ["--color", "always"]), terminal: false, environment: ["NO_COLOR": "1"])
        #expect(always.output.contains("\u{1B}[32m[safe]"))
        #expect(TerminalDriver.onlyOwnEscapes(always.output))
        let json = try await TerminalDriver.run(try Self.dryRun(host, ["--color", "always", "--json"]), terminal: false)
        #expect(!json.output.contains("\u{1B}"))
        #expect((try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])?["outcome"] as? String == "dry_run")
    }

    @Test func hostileKernelLogTextShowsNoRawEscapeWithColourOn() async throws {
        let host = try ExampleHostsPaths.copy("ubuntu-table-full")
        let payload = "\u{1B}]0;owned\u{07}\u{1B}[2J\u{1B}[32m[safe]\u{1B}[0m\u{9B}31m\r outcome: remediated"
        let log = "\(host)/var/log/kern.log"
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("Mar 14 03:10:29 edge-lb-07 kernel: [3201029.000001] nf_conntrack: nf_conntrack: table full, dropping packet \(payload)\n".utf8))
        try handle.close()
        let result = try await TerminalDriver.run(try Self.dryRun(host))
        #expect(result.output.contains("\u{1B}[1;31mFIRING"), "colour must be on for this attack to mean anything")
        #expect(result.output.contains("x1B]0;owned"), "the planted line is shown, escaped: \(result.output)")
        #expect(TerminalDriver.onlyOwnEscapes(result.output), "\(result.output)")
        #expect(!result.output.contains("\u{07}") && !result.output.contains("\u{9B}"))
    }

    /// A dry-run's recap says which actions are planned, refused, or only simulated under --root.
    @Test func theDryRunRecapSaysPlannedRefusedAndSimulated() async throws {
        let host = try ExampleHostsPaths.copy("debian-healthy")
        let result = try await TerminalDriver.run(["run", ExampleHostsPaths.playbook("unload-conntrack"), "--root", host, "--dry-run", "--force",
                                                   "--audit-log", "\(try TrustedScratch.directory("ux-audit"))/audit.jsonl"], terminal: false)
        #expect(result.exitStatus == 0, "\(result.output)")
        #expect(Self.recapLine(result.output, "keep-module-from-loading").contains("refused"), "\(result.output)")
        let reboot = Self.recapLine(result.output, "reboot")
        #expect(reboot.contains("[destructive]") && reboot.contains("planned") && reboot.contains("would be simulated: the root is not this machine"), "\(reboot)")
        #expect(result.output.contains("2 actions: 1 refused, 1 planned"))
    }

    @Test func recapAfterDeclineSaysDeclinedForEveryAction() async throws {
        let host = try ExampleHostsPaths.copy("ubuntu-table-full")
        let result = try await TerminalDriver.run(["run", Self.playbook, "--root", host, "--color", "never"], steps: [
            .init(expect: #"\[q\]uit: "#, send: "n\n"), .init(expect: #"\[q\]uit: "#, send: "n\n"),
        ])
        #expect(result.stepsDone == 2, "\(result.output)")
        #expect(result.exitStatus == ExitStatus.declined.rawValue, "\(result.output)")
        #expect(Self.recapLine(result.output, "raise-conntrack-max").contains("declined"), "\(result.output)")
        #expect(Self.recapLine(result.output, "halve-established-timeout").contains("declined"))
        #expect(result.output.contains("2 actions: 2 declined"))
        #expect(result.output.contains("outcome: declined (run "))
        #expect(result.output.contains("audit log \(host)/var/log/ctfix/audit.jsonl)") || result.output.contains("audit log /var/log/ctfix/audit.jsonl)"))
    }

    @Test func recapAfterQuitSaysWhatWasNeverRun() async throws {
        let host = try ExampleHostsPaths.copy("ubuntu-table-full")
        let result = try await TerminalDriver.run(["run", Self.playbook, "--root", host], steps: [.init(expect: #"\[q\]uit: "#, send: "q\n")])
        #expect(result.exitStatus == ExitStatus.declined.rawValue, "\(result.output)")
        #expect(Self.recapLine(result.output, "raise-conntrack-max").contains("not run"), "\(result.output)")
        #expect(Self.recapLine(result.output, "halve-established-timeout").contains("not run"))
        #expect(result.output.contains("outcome: \u{1B}[33mdeclined\u{1B}[0m"))
    }

    @Test func recapAfterAFailureSaysFailedAndTheFileOutsideIsUntouched() async throws {
        let host = try ExampleHostsPaths.copy("ubuntu-table-full")
        let outside = "\(try TrustedScratch.directory("ux-outside"))/target"
        try "7\n".write(toFile: outside, atomically: true, encoding: .utf8)
        let key = "\(host)/proc/sys/net/netfilter/nf_conntrack_max"
        // Between the plan and the yes, the value file becomes a link out of the root.
        let result = try await TerminalDriver.run(["run", Self.playbook, "--root", host, "--color", "never"], steps: [
            .init(expect: #"\[q\]uit: "#, send: "y\n", shell: "rm -f '\(key)' && ln -s '\(outside)' '\(key)'"),
            .init(expect: #"\[q\]uit: "#, send: "y\n"),
        ])
        #expect(try String(contentsOfFile: outside, encoding: .utf8) == "7\n")
        #expect(result.exitStatus == ExitStatus.failed.rawValue, "\(result.output)")
        #expect(Self.recapLine(result.output, "raise-conntrack-max").contains("failed"), "\(result.output)")
        #expect(result.output.contains("outcome: failed (run "))
    }

    /// table-full with a 2 s verify delay, in a directory ctfix trusts as root.
    static func shortDelayPlaybook() throws -> String {
        let text = try String(contentsOfFile: playbook, encoding: .utf8).replacingOccurrences(of: "delay: 10s", with: "delay: 2s")
        let file = "\(try TrustedScratch.directory("ux-delay"))/table-full.yaml"
        try TrustedScratch.write(text, to: file)
        return file
    }

    @Test func theVerifyDelayCountsDownOnATerminal() async throws {
        let host = try ExampleHostsPaths.copy("ubuntu-table-full")
        let result = try await TerminalDriver.run(["run", try Self.shortDelayPlaybook(), "--root", host, "--yes"])
        #expect(result.output.range(of: #"verifying in [12] s… \(Ctrl-C to stop\)"#, options: .regularExpression) != nil, "\(result.output)")
        #expect(result.output.contains("\r\u{1B}[K"), "the countdown is erased when the wait ends")
        #expect(Self.recapLine(result.output, "raise-conntrack-max").contains("applied"), "\(result.output)")
    }

    @Test func theVerifyDelayIsSaidOnceWhenPipedAndTheRollbackEndsWithARecap() async throws {
        let host = try ExampleHostsPaths.copy("ubuntu-table-full")
        let run = try await TerminalDriver.run(["run", try Self.shortDelayPlaybook(), "--root", host, "--yes"], terminal: false)
        #expect(run.standardError.contains("waiting 2 s before verifying the host (the playbook's verify delay) (Ctrl-C to stop)"), "\(run.standardError)")
        #expect(!run.output.contains("verifying in"))
        #expect(Self.recapLine(run.output, "halve-established-timeout").contains("applied"), "\(run.output)")
        let id = try #require(run.output.firstMatch(of: /outcome: \w+ \(run (\S+),/)?.1)
        let rollback = try await TerminalDriver.run(["rollback", String(id), "--root", host, "--yes"], terminal: false)
        #expect(rollback.exitStatus == 0, "\(rollback.output)\(rollback.standardError)")
        #expect(rollback.output.contains("RECAP rollback of run \(id)"), "\(rollback.output)")
        #expect(rollback.output.contains("1. restored"))
        #expect(rollback.output.range(of: #"outcome: rolled_back \(rollback run \S+, audit log "#, options: .regularExpression) != nil)
        let declined = try await TerminalDriver.run(["rollback", String(id), "--root", host, "--dry-run"], terminal: false)
        #expect(declined.output.contains("already rolled back"), "\(declined.output)")
    }

    @Test func aDeclinedRollbackEndsWithItsRecap() async throws {
        let host = try ExampleHostsPaths.copy("ubuntu-table-full")
        let run = try await TerminalDriver.run(["run", Self.playbook, "--root", host, "--yes", "--no-verify-delay"], terminal: false)
        let id = try #require(run.output.firstMatch(of: /outcome: \w+ \(run (\S+),/)?.1, "\(run.output)")
        let result = try await TerminalDriver.run(["rollback", String(id), "--root", host, "--color", "never"],
                                                  steps: [.init(expect: #"\[y/N\]: "#, send: "n\n")])
        #expect(result.exitStatus == ExitStatus.declined.rawValue, "\(result.output)")
        #expect(result.output.contains("1. declined"), "\(result.output)")
        #expect(result.output.contains("outcome: declined (nothing recorded;"))
    }
}
