import Foundation
import Testing
@testable import CtfixCore

@Suite struct KernelStatusCommandTests {
    func run(_ files: [String: String], json: Bool = false,
             events: @escaping StatusCommand.RecentEvents = { _ in nil }) async -> (CtfixCore.ExitStatus, CapturedOutput) {
        let output = CapturedOutput()
        let context = CtfixContext(fileSystem: InMemoryFileSystem(files), clock: FixedClock(Date(timeIntervalSince1970: 1_731_056_110)), output: output)
        let status = await StatusCommand(json: json, recentEvents: events).run(context)
        return (status, output)
    }

    @Test func textShowsTheNumbersAndWhereTheyCameFrom() async throws {
        let (status, output) = await run(try KernelFixtures.centos5SeedHost())
        #expect(status == .ok)
        let text = output.standardOutput
        #expect(text.hasPrefix("conntrack: ip_conntrack, loadable module (3 users)\n"))
        #expect(text.contains("entries       36271 / 16640 = 218% full   (net.ipv4.netfilter.ip_conntrack_count, net.ipv4.netfilter.ip_conntrack_max)"))
        #expect(text.contains("hash buckets  2080  (hashsize 2080)"))
        #expect(text.contains("entry size    384 bytes  (ip_conntrack objsize in /proc/slabinfo)"))
        #expect(text.contains("entry memory  13.3 MiB  (36271 × 384 B + 2080 buckets × 8 B)"))
        #expect(text.contains("memory        MemAvailable 2.9 GiB of 5.8 GiB total  (estimated"))
        #expect(text.contains("budget        max could go to 2049306 within 25% of MemAvailable (752.6 MiB at 392 bytes per entry)"))
        #expect(text.contains("timeouts      tcp established 432000 s (5d)"))
        #expect(text.contains("udp 30 s"))
        #expect(text.contains("recent kernel conntrack events (24 h)\n  (no kernel log source could be read)\n"))
        #expect(output.standardError.isEmpty)
    }

    @Test func jsonHasStableSnakeCaseFields() async throws {
        let (status, output) = await run(try KernelFixtures.modernHost(), json: true)
        #expect(status == .ok)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["root", "time", "conntrack", "namespaces", "recent_events", "recent_events_note", "boot"]) // issue 9 items 5, 6
        #expect(object["recent_events_note"] as? String == "no kernel log source could be read")
        #expect(object["recent_events"] is NSNull)
        #expect(object["time"] as? String == "2024-11-08T08:55:10Z")
        let conntrack = try #require(object["conntrack"] as? [String: Any])
        #expect(Set(conntrack.keys) == [
            "present", "era", "count", "max", "usage_ratio", "buckets", "hashsize", "tcp_timeout_established", "timeouts",
            "entry_size_bytes", "entries_memory_bytes", "mem_total_bytes", "mem_available_bytes", "memory_budget",
            "module", "module_users", "non_initial_network_namespace",
        ])
        #expect(conntrack["present"] as? Bool == true)
        let count = try #require(conntrack["count"] as? [String: Any])
        #expect(Set(count.keys) == ["value", "source", "key", "note", "assumed", "missing_reason"])
        #expect(count["value"] as? Double == 180)
        #expect(count["key"] as? String == "net.netfilter.nf_conntrack_count")
        #expect(count["missing_reason"] is NSNull)
        #expect((conntrack["era"] as? [String: Any])?["value"] as? String == "nf_conntrack")
        #expect((conntrack["module"] as? [String: Any])?["value"] as? String == "built_in")
        let budget = try #require(conntrack["memory_budget"] as? [String: Any])
        #expect(Set(budget.keys) == ["share", "mem_available_bytes", "entry_size_bytes", "count", "budget_bytes", "bytes_per_entry", "max_within_budget"])
        let timeouts = try #require(conntrack["timeouts"] as? [[String: Any]])
        #expect(timeouts.first?["name"] as? String == "tcp_timeout_syn_sent")
    }

    @Test func noConntrackExitsUnknownAndSaysWhy() async throws {
        let (status, output) = await run(["/proc/meminfo": try KernelFixtures.hostText("meminfo_02_modern_32GB_go_testdata.txt")])
        #expect(status == .unknown)
        #expect(output.standardOutput.hasPrefix("conntrack: not present (no conntrack sysctls"))
        #expect(output.standardOutput.contains("module not loaded"))
        #expect(output.standardError.contains("conntrack is not present or unreadable under <in-memory host>: none of the sysctl keys exists"))
        let (jsonStatus, json) = await run([:], json: true)
        #expect(jsonStatus == .unknown)
        #expect(json.standardOutput.contains("\"present\" : false"))
    }

    @Test func theRecentEventsHookIsUsedWhenWired() async throws {
        let match = LogMatch(time: nil, source: "/var/log/messages", line: 12, text: "kernel: nf_conntrack: table full, dropping packet")
        let (_, output) = await run(try KernelFixtures.modernHost(), events: { _ in [match] })
        #expect(output.standardOutput.contains("recent kernel conntrack events (24 h)\n  /var/log/messages:12: kernel: nf_conntrack: table full, dropping packet\n"))
        let (_, none) = await run(try KernelFixtures.modernHost(), events: { _ in [] })
        #expect(none.standardOutput.contains("recent kernel conntrack events (24 h)\n  none found\n"))
    }

    @Test func aNamespaceThatHidesMaxStillPrintsWhatItCan() async {
        let (status, output) = await run([
            "/proc/sys/net/netfilter/nf_conntrack_tcp_timeout_established": "7200\n",
            "/proc/meminfo": "MemTotal: 1048576 kB\nMemAvailable: 524288 kB\n",
        ])
        #expect(status == .unknown)
        #expect(output.standardOutput.contains("non-initial network namespace"))
        #expect(output.standardOutput.contains("tcp established 7200 s (2h)"))
        #expect(output.standardOutput.contains("entries       unknown: none of the sysctl keys exists"))
    }
}
