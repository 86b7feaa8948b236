import CtfixCore
import Foundation
import Testing

/// issue 10, item 2, through the binary: a remediated run exits 0 (a `set -e` script goes on),
/// and `--detailed-exitcodes` exits 2 for it, 0 when there was nothing to do, while every
/// failure keeps its own status in both modes.
@Suite struct ExitStatusCommandLineTests {
    /// Raises a low conntrack max and verifies it by reading it back: a run on a copy of the
    /// table-full host ends `remediated` (measured), unlike the shipped playbooks whose counters
    /// a copy cannot sample again.
    static func growMax() throws -> String {
        let path = try TrustedScratch.directory("exit-status") + "/grow-max.yaml"
        try TrustedScratch.write("""
        version: 1
        name: grow-max
        summary: Raise a conntrack max below 300000 to 400000 (an exit-status test).
        detect:
          value:
            sysctl: net.netfilter.nf_conntrack_max
            below: 300000
        actions:
          - name: raise
            explain: Raise the table size.
            risk: safe
            sysctl:
              key: net.netfilter.nf_conntrack_max
              set: 400000
              direction: raise
        verify:
          healthy:
            value:
              sysctl: net.netfilter.nf_conntrack_max
              above: 300000
        """, to: path)
        return path
    }

    static func max(_ host: String) throws -> String {
        try String(contentsOfFile: "\(host)/proc/sys/net/netfilter/nf_conntrack_max", encoding: .utf8)
    }

    @Test func remediatedIsZeroAndDetailedItIsTwo() async throws {
        let playbook = try Self.growMax()
        let plainHost = try ExampleHostsPaths.copy("ubuntu-table-full")
        let plain = try await CtfixBinary.run(["run", playbook, "--root", plainHost, "--yes"])
        #expect(plain.exitStatus == 0, "\(plain.standardOutput)\(plain.standardError)")
        #expect(plain.standardOutput.contains("outcome: remediated"), "\(plain.standardOutput)")
        #expect(try Self.max(plainHost) == "400000\n")

        let host = try ExampleHostsPaths.copy("ubuntu-table-full")
        let dryRun = try await CtfixBinary.run(["run", playbook, "--root", host, "--dry-run", "--detailed-exitcodes"])
        #expect(dryRun.exitStatus == 0, "a dry-run changes nothing: \(dryRun.standardOutput)")
        let detailed = try await CtfixBinary.run(["run", playbook, "--root", host, "--yes", "--detailed-exitcodes", "--json"])
        #expect(detailed.exitStatus == ExitStatus.changed.rawValue, "\(detailed.standardOutput)\(detailed.standardError)")
        #expect(try CtfixBinary.json(detailed)["outcome"] as? String == "remediated")
        let runID = try #require(try CtfixBinary.json(detailed)["run_id"] as? String)
        let nothing = try await CtfixBinary.run(["run", playbook, "--root", host, "--yes", "--detailed-exitcodes"])
        #expect(nothing.exitStatus == 0, "healthy now, nothing to do: \(nothing.standardOutput)")

        let restored = try await CtfixBinary.run(["rollback", runID, "--root", host, "--yes", "--detailed-exitcodes"])
        #expect(restored.exitStatus == ExitStatus.changed.rawValue, "\(restored.standardOutput)\(restored.standardError)")
        #expect(try Self.max(host) == "262144\n")
        let undone = try await CtfixBinary.run(["rollback", runID, "--root", host, "--yes", "--detailed-exitcodes"])
        #expect(undone.exitStatus == 0, "already rolled back: nothing changed \(undone.standardOutput)")
    }

    /// Failures keep their numbers under `--detailed-exitcodes`: it only splits success in two.
    @Test func failuresAreTheSameWithDetailedExitCodes() async throws {
        let playbook = try Self.growMax()
        for detailed in [[], ["--detailed-exitcodes"]] {
            let host = try ExampleHostsPaths.copy("ubuntu-table-full")
            // No terminal, no --yes: refused, and nothing changed.
            let refused = try await CtfixBinary.run(["run", playbook, "--root", host] + detailed)
            #expect(refused.exitStatus == ExitStatus.refused.rawValue, "\(detailed): \(refused.standardOutput)")
            #expect(try Self.max(host) == "262144\n")
            let missing = try await CtfixBinary.run(["run", playbook + ".missing.yaml", "--root", host, "--yes"] + detailed)
            #expect(missing.exitStatus == ExitStatus.noInput.rawValue)
            let badRollback = try await CtfixBinary.run(["rollback", "nonexistent", "--root", host, "--yes"] + detailed)
            #expect(badRollback.exitStatus == ExitStatus.noInput.rawValue)
        }
    }

    @Test func watchOnceReportsAChangeOnlyWhenAsked() async throws {
        let playbook = try Self.growMax()
        let host = try ExampleHostsPaths.copy("ubuntu-table-full")
        let detailed = try await CtfixBinary.run(["watch", "--once", playbook, "--root", host, "--detailed-exitcodes"])
        #expect(detailed.exitStatus == ExitStatus.changed.rawValue, "\(detailed.standardOutput)\(detailed.standardError)")
        #expect(try Self.max(host) == "400000\n")
        let calm = try await CtfixBinary.run(["watch", "--once", playbook, "--root", host, "--detailed-exitcodes"])
        #expect(calm.exitStatus == 0, "\(calm.standardOutput)\(calm.standardError)")

        let other = try ExampleHostsPaths.copy("ubuntu-table-full")
        let plain = try await CtfixBinary.run(["watch", "--once", playbook, "--root", other])
        #expect(plain.exitStatus == 0, "\(plain.standardOutput)\(plain.standardError)")
        #expect(try Self.max(other) == "400000\n")
    }
}
