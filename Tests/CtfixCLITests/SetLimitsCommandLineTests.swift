import CtfixCore
import Foundation
import Testing

/// `--set` through the real binary: a malformed argument is a usage error (64) naming `--set`;
/// a value beyond the limits (the 60 000 `-` signs that crashed the CLI, an overflowing
/// duration) is invalid input (65) naming `--set` and the parameter; `check` answers UNKNOWN (3)
/// for both, as a monitoring plugin must. Nothing is planned in either case.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: PackagePaths.ctfixBinary.path), "needs the built ctfix"))
struct SetLimitsCommandLineTests {
    static let host = PackagePaths.root.appendingPathComponent("examples/hosts/ubuntu-table-full").path

    func run(_ settings: [String], command: String = "run") async throws -> CommandResult {
        let directory = try TrustedScratch.directory("ctfix-set-limits")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/base.yaml"
        try TrustedScratch.write(HostileBase.text, to: path)
        let extra = command == "run" ? ["--dry-run", "--audit-log", directory + "/audit.jsonl"] : []
        return try await CtfixBinary.run([command, "--root", Self.host] + extra + settings + [path], timeout: .seconds(60))
    }

    @Test(arguments: [["--set", "usage_threshold"], ["--set", "=1"], ["--set", "Usage-Threshold=1"],
                      ["--set", "usage_threshold=0.5", "--set", "usage_threshold=0.6"],
                      Array((0...ParseLimits.maximumSettings).map { ["--set", "p\($0)=1"] }.joined())])
    func malformedSetIsAUsageError(_ settings: [String]) async throws {
        let result = try await run(settings)
        #expect(result.exitStatus == ExitStatus.usage.rawValue, "\(result)")
        #expect(result.standardError.contains("--set"), "\(result.standardError)")
        #expect(!result.standardOutput.contains("plan"), "nothing is planned")
        let check = try await run(settings, command: "check")
        #expect(check.exitStatus == ExitStatus.unknown.rawValue, "\(check)")
    }

    @Test(arguments: ["usage_threshold=" + String(repeating: "-", count: 60_000) + "0.5",
                      "usage_threshold=" + String(repeating: "(", count: 60_000) + "0.5" + String(repeating: ")", count: 60_000),
                      "usage_threshold=NaN", "usage_threshold=1e309", "usage_threshold=99999999999999999999",
                      "settle=99999999999999999999d", "unit=" + String(repeating: "u", count: 120_000), "unit=a\u{1b}[31m"])
    func aValueBeyondTheLimitsIsInvalidInputNamingSet(_ setting: String) async throws {
        let result = try await run(["--set", setting])
        #expect(result.exitStatus == ExitStatus.invalidInput.rawValue, "\(result.exitStatus) \(result.standardError.prefix(300))")
        #expect(result.standardError.contains("--set: parameter '"), "\(result.standardError.prefix(300))")
        #expect(result.standardError.utf8.count < 1000, "the message quotes a prefix, not the whole value")
        let check = try await run(["--set", setting], command: "check")
        #expect(check.exitStatus == ExitStatus.unknown.rawValue, "\(check.exitStatus)")
        // The parameter is declared: check names the bad value, with a Nagios line, never
        // "no playbook declares this parameter" (what it said before).
        #expect(check.standardOutput.hasPrefix("CTFIX UNKNOWN"), "\(check.standardOutput.prefix(300))")
        #expect(check.standardOutput.contains("--set: parameter '"), "\(check.standardOutput.prefix(300))")
        #expect(!check.standardError.contains("no playbook declares"), "\(check.standardError.prefix(300))")
    }
}
