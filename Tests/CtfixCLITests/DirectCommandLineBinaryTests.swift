import CtfixCore
import Foundation
import Testing

/// The built binary reads `run --root DIR` itself (`DirectCommandLine`) and `run --root=DIR`
/// through ArgumentParser: the two must be indistinguishable from outside — standard output,
/// standard error and exit status — for successes, findings and errors alike.
@Suite struct DirectCommandLineBinaryTests {
    /// The same command line twice: as given (direct), and with every option written
    /// `--name=value` (which only ArgumentParser reads).
    static func bothWays(_ arguments: [String]) async throws -> (direct: CommandResult, argumentParser: CommandResult) {
        var joined: [String] = []
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let word = arguments[index]
            let valued = ["--root", "--now", "--audit-log", "--set", "--log", "--wait", "--color"]
            if valued.contains(word), index + 1 < arguments.endIndex {
                joined.append("\(word)=\(arguments[index + 1])")
                index += 2
            } else {
                joined.append(word)
                index += 1
            }
        }
        #expect(joined != arguments, "the second form must differ, or it proves nothing")
        return (try await CtfixBinary.run(arguments), try await CtfixBinary.run(joined))
    }

    /// Run IDs and durations differ between two runs; nothing else may.
    static func normalized(_ text: String) -> String {
        text.replacingOccurrences(of: #"\d{8}T\d{6}Z-[0-9a-f]{8}"#, with: "RUN", options: .regularExpression)
            .replacingOccurrences(of: #""duration_ms" *: *[0-9.]+"#, with: "DURATION", options: .regularExpression)
    }

    static func audit() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("ctfix-direct-\(UUID().uuidString).jsonl").path
    }

    @Test(arguments: [
        ["--dry-run"], ["--dry-run", "--json"], ["--dry-run", "--set", "nonsense"], ["--dry-run", "--set", "x=1"],
        ["--dry-run", "--now", "yesterday"], ["--dry-run", "--now", "2024-11-08T08:55:10Z", "--json"],
        ["--dry-run", "--color", "always"], ["--dry-run", "--wait", "007", "--detailed-exitcodes"],
    ])
    func runReadsTheSameEitherWay(_ extra: [String]) async throws {
        let host = ExampleHostsPaths.host("ubuntu-table-full")
        let (direct, parsed) = try await Self.bothWays(["run", ExampleHostsPaths.playbook("table-full"), "--root", host,
                                                        "--audit-log", Self.audit()] + extra)
        #expect(direct.exitStatus == parsed.exitStatus)
        #expect(Self.normalized(direct.standardOutput) == Self.normalized(parsed.standardOutput))
        #expect(Self.normalized(direct.standardError) == Self.normalized(parsed.standardError))
        #expect(!direct.standardOutput.isEmpty || !direct.standardError.isEmpty)
    }

    static let seedHost = ExampleHostsPaths.host("centos5-ip-conntrack")

    @Test(arguments: [["--root", seedHost], ["--root", seedHost, "--json"], ["--root", seedHost, "--set", "nonsense"],
                      ["--root", seedHost, "--now", "yesterday", "--json"], ["--root", "/nonexistent-ctfix-root"],
                      ["--root", seedHost, "--log", "/nonexistent-ctfix-log"]])
    func checkReadsTheSameEitherWay(_ extra: [String]) async throws {
        let (direct, parsed) = try await Self.bothWays(["check", ExampleHostsPaths.playbook("table-full"), ExampleHostsPaths.playbook("alloc-failure")] + extra)
        #expect(direct.exitStatus == parsed.exitStatus)
        #expect(Self.normalized(direct.standardOutput) == Self.normalized(parsed.standardOutput))
        #expect(Self.normalized(direct.standardError) == Self.normalized(parsed.standardError))
        #expect(["CTFIX ", "{", "["].contains { direct.standardOutput.hasPrefix($0) })
    }
}
