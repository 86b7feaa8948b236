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
