import CtfixCore
import Foundation
import Testing

/// `ctfix run` and `ctfix rollback` against the real kernel, inside a throw-away network
/// namespace where the established-TCP timeout is per namespace and writable. Nothing outside
/// the namespace is changed (the host's own value is compared before and after).
@Suite(.enabled(if: RealKernel.canUseNamespaces, "needs root, 'ip' and 'nft'"), .serialized)
struct RealKernelRunTests {
    static let playbook = """
    version: 1
    name: halve-timeout-test
    summary: Halve the established-TCP conntrack timeout of this network namespace.
    detect:
      value:
        sysctl: net.netfilter.nf_conntrack_tcp_timeout_established
        above: 3600
    actions:
      - name: halve-established-timeout
        explain: Halve the established timeout so idle entries expire sooner.
        risk: safe
        sysctl:
          key: net.netfilter.nf_conntrack_tcp_timeout_established
          multiply: 0.5
          floor: 3600
          direction: lower
    verify:
      healthy:
        value:
          sysctl: net.netfilter.nf_conntrack_tcp_timeout_established
          below: 432000
    """

    static let path = "/proc/sys/net/netfilter/nf_conntrack_tcp_timeout_established"

    @Test func runHalvesTheNamespacesTimeoutAndRollbackRestoresIt() async throws {
        let directory = try TrustedScratch.directory("ctfix-run") // not in /tmp: refused as root
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let playbook = "\(directory)/halve.yaml"
        try TrustedScratch.write(Self.playbook, to: playbook)
        let audit = "\(directory)/audit.jsonl"
        let hostBefore = try String(contentsOfFile: Self.path, encoding: .utf8)

        try await NetworkNamespace.with { namespace in
            let read = { try await namespace.run(["cat", Self.path]).standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) }
            #expect(try await read() == "432000")

            let dry = try await CtfixBinary.run(["run", playbook, "--dry-run", "--audit-log", audit], in: namespace)
            #expect(dry.exitStatus == 0, "\(dry.standardOutput)\(dry.standardError)")
            #expect(dry.standardOutput.contains("net.netfilter.nf_conntrack_tcp_timeout_established: 432000 → 216000"))
            #expect(try await read() == "432000")

            let run = try await CtfixBinary.run(["run", playbook, "--yes", "--json", "--audit-log", audit], in: namespace)
            #expect(run.exitStatus == ExitStatus.ok.rawValue, "\(run.standardOutput)\(run.standardError)")
            let report = try CtfixBinary.json(run)
            let runID = try #require(report["run_id"] as? String)
            #expect(try await read() == "216000")

            let rollback = try await CtfixBinary.run(["rollback", runID, "--yes", "--audit-log", audit], in: namespace)
            #expect(rollback.exitStatus == 0, "\(rollback.standardOutput)\(rollback.standardError)")
            #expect(try await read() == "432000")

            let verify = try await CtfixBinary.run(["audit", "verify", "--audit-log", audit])
            #expect(verify.exitStatus == 0, "\(verify.standardOutput)")
        }
        #expect(try String(contentsOfFile: Self.path, encoding: .utf8) == hostBefore)
    }

    @Test func theNamespacesTableSizeIsReadOnlyAndThePlanSaysSo() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ctfix-max-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let playbook = ExampleHostsPaths.playbook("table-full")
        try await NetworkNamespace.with { namespace in
            let result = try await CtfixBinary.run(["run", playbook, "--dry-run", "--force", "--audit-log", "\(directory)/a.jsonl"], in: namespace)
            #expect(result.exitStatus == 0, "\(result.standardError)")
            // Issue 9 item 5 (deliberate change): no longer "not writable here; the write will
            // fail" — the plan refuses the global key and names the command for the host.
            #expect(result.standardOutput.contains("only the initial network namespace can write"), "\(result.standardOutput)")
            #expect(result.standardOutput.contains("nsenter -t 1 -n ctfix run table-full"), "\(result.standardOutput)")
        }
    }
}

enum ExampleHostsPaths {
    static func playbook(_ name: String) -> String { PackagePaths.root.appendingPathComponent("playbooks/\(name).yaml").path }
    static func host(_ name: String) -> String { PackagePaths.root.appendingPathComponent("examples/hosts/\(name)").path }

    /// A copy of an example host in a temporary directory.
    static func copy(_ name: String) throws -> String {
        let target = FileManager.default.temporaryDirectory.appendingPathComponent("ctfix-host-\(UUID().uuidString)").path
        try FileManager.default.copyItem(atPath: host(name), toPath: target)
        return target
    }
}
