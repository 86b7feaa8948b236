import CtfixCore
import Foundation
import Testing

/// `ctfix status` run inside a fresh network namespace, against real conntrack entries that
/// nftables makes the kernel track there. Nothing outside the namespace is changed.
@Suite(.enabled(if: RealKernel.canUseNamespaces, "needs root, 'ip' and 'nft'"), .serialized)
struct RealKernelNamespaceTests {
    @Test func statusCountsTheNamespacesEntries() async throws {
        let hostTimeout = try String(contentsOfFile: "/proc/sys/net/netfilter/nf_conntrack_tcp_timeout_established", encoding: .utf8)
        try await NetworkNamespace.with { namespace in
            try await namespace.trackConnections()
            try await namespace.sendUDP(ports: 20000...20049)
            // A per-namespace sysctl, set inside the namespace only.
            try await namespace.run(["bash", "-c", "echo 7200 > /proc/sys/net/netfilter/nf_conntrack_tcp_timeout_established"])

            let result = try await CtfixBinary.run(["status", "--json"], in: namespace)
            #expect(result.exitStatus == 0, "\(result.standardError)")
            let report = try CtfixBinary.json(result)
            let conntrack = try #require(report["conntrack"] as? [String: Any])
            #expect(conntrack["present"] as? Bool == true)
            let count = try #require((conntrack["count"] as? [String: Any])?["value"] as? Double)
            let max = try #require((conntrack["max"] as? [String: Any])?["value"] as? Double)
            #expect(count >= 50)
            #expect(max > 0)
            // The ratio a `ratio: count / max` predicate compares, as status computed it.
            let usage = try #require(conntrack["usage_ratio"] as? Double)
            #expect(abs(usage - count / max) < 1e-12)
            let timeout = conntrack["tcp_timeout_established"] as? [String: Any]
            #expect(timeout?["value"] as? Double == 7200)
            let namespaceFact = conntrack["non_initial_network_namespace"] as? [String: Any]
            #expect(namespaceFact?["value"] as? Bool == true, "\(namespaceFact ?? [:])")
            #expect((conntrack["era"] as? [String: Any])?["value"] as? String == "nf_conntrack")

            let text = try await CtfixBinary.run(["status"], in: namespace)
            #expect(text.exitStatus == 0)
            #expect(text.standardOutput.contains("non-initial network namespace"))
            #expect(text.standardOutput.contains("tcp established 7200 s (2h)"))
        }
        let after = try String(contentsOfFile: "/proc/sys/net/netfilter/nf_conntrack_tcp_timeout_established", encoding: .utf8)
        #expect(after == hostTimeout, "the host's own timeout must not change")
    }

    /// A tiny playbook whose detection is the conntrack usage ratio, checked by the real binary
    /// inside the namespace: CRITICAL above a tiny threshold, OK at the usual 90%.
    static let usagePlaybook = """
        version: 1
        name: netns-usage
        summary: The conntrack table of this namespace is filling up.
        parameters:
          usage_threshold: {type: number, default: 90%, minimum: 0, maximum: 1, description: Fire above this share.}
        detect:
          ratio:
            numerator: {sysctl: [net.netfilter.nf_conntrack_count, net.ipv4.netfilter.ip_conntrack_count]}
            denominator: {sysctl: [net.netfilter.nf_conntrack_max, net.nf_conntrack_max, net.ipv4.netfilter.ip_conntrack_max]}
            above: ${usage_threshold}
        actions:
          - name: raise-conntrack-max
            explain: Double the table.
            risk: safe
            sysctl:
              key: [net.netfilter.nf_conntrack_max, net.nf_conntrack_max]
              set: max(current * 2, 65536)
        """

    @Test func checkEvaluatesTheRatioInsideTheNamespace() async throws {
        let directory = try TrustedScratch.directory("ctfix-netns-usage") // not in /tmp: refused as root
        let file = URL(fileURLWithPath: directory + "/usage.yaml")
        try TrustedScratch.write(Self.usagePlaybook, to: file.path)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await NetworkNamespace.with { namespace in
            try await namespace.trackConnections()
            try await namespace.sendUDP(ports: 22000...22049)

            let firing = try await CtfixBinary.run(["check", file.path, "--json", "--set", "usage_threshold=0.001%"], in: namespace)
            #expect(firing.exitStatus == 2, "\(firing.standardOutput)\(firing.standardError)")
            let outcome = try CtfixBinary.json(firing)
            let evidence = try #require(outcome["evidence"] as? [String: Any])
            #expect(evidence["kind"] as? String == "ratio")
            // The count is read in every namespace (issue 9 item 5, a deliberate change: this
            // namespace's own count is the sysctl, the others' the stat files' entries), each
            // divided by the one global max.
            let readings = try #require(evidence["readings"] as? [[String: Any]])
            #expect(Set(readings.compactMap { $0["name"] as? String }) == ["net.netfilter.nf_conntrack_count", "net.netfilter.nf_conntrack_max"])
            let own = try #require(readings.first { $0["source"] as? String == "/proc/sys/net/netfilter/nf_conntrack_count" })
            let count = try #require(own["value"] as? Double)
            #expect(count >= 50)
            let detail = try #require(evidence["detail"] as? String)
            #expect(detail.contains("nf_conntrack_count / nf_conntrack_max = \(formatNumber(count)) / "), "\(detail)")
            #expect(detail.contains(" (usage_threshold))") && !detail.contains("${"), "\(detail)")
            #expect(detail.contains("in initial netns"), "\(detail)")

            let calm = try await CtfixBinary.run(["check", file.path], in: namespace)
            #expect(calm.exitStatus == 0, "\(calm.standardOutput)\(calm.standardError)")
        }
    }

    /// Inside a non-initial namespace the global max cannot be written: `run --yes` refuses
    /// before changing anything, says why and what to run on the host, and audits it. Nothing
    /// changes in the namespace or on the host (both read before and after).
    @Test func runInsideANamespaceRefusesGlobalKeysBeforeAnyChange() async throws {
        let directory = try TrustedScratch.directory("ctfix-netns-refusal")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let audit = directory + "/audit.jsonl"
        let host = { (name: String) in try String(contentsOfFile: "/proc/sys/net/netfilter/\(name)", encoding: .utf8) }
        let hostBefore = try ["nf_conntrack_max", "nf_conntrack_tcp_timeout_established"].map(host)
        let persisted = FileManager.default.fileExists(atPath: "/etc/sysctl.d/90-ctfix-conntrack.conf")
        try await NetworkNamespace.with { namespace in
            try await namespace.trackConnections()
            try await namespace.sendUDP(ports: 23000...23009)
            let inside = try await namespace.run(["cat", "/proc/sys/net/netfilter/nf_conntrack_tcp_timeout_established"]).standardOutput
            let playbook = PackagePaths.root.appendingPathComponent("playbooks/table-full.yaml").path
            let result = try await CtfixBinary.run(["run", playbook, "--yes", "--force", "--no-verify-delay", "--audit-log", audit], in: namespace)
            #expect(result.exitStatus == ExitStatus.refused.rawValue, "\(result.standardOutput)\(result.standardError)")
            #expect(result.standardOutput.contains("only the initial network namespace can write"), "\(result.standardOutput)")
            #expect(result.standardOutput.contains("nsenter -t 1 -n ctfix run table-full"), "\(result.standardOutput)")
            #expect(!result.standardOutput.contains("every completed change was rolled back"))
            let after = try await namespace.run(["cat", "/proc/sys/net/netfilter/nf_conntrack_tcp_timeout_established"]).standardOutput
            #expect(after == inside)
            let events = try String(contentsOfFile: audit, encoding: .utf8).split(separator: "\n").compactMap { line in
                (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["event"] as? String
            }
            #expect(events == ["run_start", "evidence", "plan", "run_end"])
        }
        #expect(try ["nf_conntrack_max", "nf_conntrack_tcp_timeout_established"].map(host) == hostBefore)
        #expect(FileManager.default.fileExists(atPath: "/etc/sysctl.d/90-ctfix-conntrack.conf") == persisted)
    }

    @Test func aRatioPredicateOnValuesCapturedInTheNamespace() async throws {
        // `ctfix check` is not there yet, and a process cannot read another namespace's /proc/sys;
        // so the namespace's own count and max are captured into a root directory and the ratio
        // is evaluated through the real RootedFileSystem, as `--root` would.
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ctfix-netns-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let directory = root.appendingPathComponent("proc/sys/net/netfilter")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try await NetworkNamespace.with { namespace in
            try await namespace.trackConnections()
            try await namespace.sendUDP(ports: 21000...21049)
            for name in ["nf_conntrack_count", "nf_conntrack_max"] {
                let value = try await namespace.run(["cat", "/proc/sys/net/netfilter/\(name)"]).standardOutput
                try value.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
            }
        }
        let node = try YAMLDocumentParser.parse("""
            ratio:
              numerator: {sysctl: [net.netfilter.nf_conntrack_count, net.ipv4.netfilter.ip_conntrack_count]}
              denominator: {sysctl: [net.netfilter.nf_conntrack_max, net.nf_conntrack_max]}
              above: 0.0001%
            """, file: "netns.yaml")
        var scope = ParseScope(file: "netns.yaml")
        let predicate = try #require(Predicate.parse(node, scope: &scope))
        let context = EvaluationContext(host: CtfixContext(fileSystem: try RootedFileSystem(root: root.path)))
        let result = await predicate.evaluate(in: context)
        #expect(result.state == .holds, "\(result.detail)")
        let count = try #require(result.readings.first?.value)
        #expect(count >= 50)
    }
}
