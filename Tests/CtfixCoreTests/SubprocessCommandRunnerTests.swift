import Foundation
import Testing
@testable import CtfixCore

/// The real command runner: cleared environment, closed stdin, cut output, enforced timeout.
@Suite struct SubprocessCommandRunnerTests {
    let runner = SubprocessCommandRunner()

    @Test func theEnvironmentIsClearedButForPathAndGivenVariables() async throws {
        let result = try await runner.run(["/usr/bin/env"], environment: ["CTFIX_X": "1"], timeout: .seconds(10), outputLimit: 1 << 20)
        let names = Set(result.standardOutput.split(separator: "\n").compactMap { $0.split(separator: "=").first.map(String.init) })
        #expect(names == ["PATH", "LC_ALL", "CTFIX_X"])
    }

    @Test func standardInputIsClosedSoNothingWaitsOnIt() async throws {
        let result = try await runner.run(["cat"], environment: [:], timeout: .seconds(10), outputLimit: 1024)
        #expect(result.succeeded)
        #expect(result.standardOutput.isEmpty)
    }

    @Test func outputBeyondTheLimitIsCutAndSaysSo() async throws {
        let result = try await runner.run(["bash", "-c", "head -c 300000 /dev/zero | tr '\\\\0' x"], environment: [:], timeout: .seconds(10), outputLimit: 1000)
        #expect(result.succeeded)
        #expect(result.standardOutput.utf8.count == 1000)
        #expect(result.outputTruncated)
    }

    @Test func aProgramThatRunsTooLongIsKilledAtTheTimeout() async throws {
        let result = try await runner.run(["sleep", "31.7"], environment: [:], timeout: .milliseconds(300), outputLimit: 1024)
        #expect(result.timedOut)
        #expect(result.exitStatus == 124)
        // The program itself is gone, not left running behind the answer.
        let left = try await runner.run(["pgrep", "-f", "sleep 31.7"], environment: [:], timeout: .seconds(5), outputLimit: 1024)
        #expect(left.exitStatus == 1, "still running: \(left.standardOutput)")
    }

    @Test func aMissingProgramIsAnErrorNamingIt() async {
        await #expect(throws: CommandError.self) {
            _ = try await runner.run(["ctfix-no-such-program"], environment: [:], timeout: .seconds(5), outputLimit: 1024)
        }
    }
}
