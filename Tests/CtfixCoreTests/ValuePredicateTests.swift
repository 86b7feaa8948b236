import Testing
@testable import CtfixCore

@Suite struct ValuePredicateTests {
    @Test func countAboveThresholdAcrossEras() async throws {
        let yaml = """
            value:
              sysctl: [net.netfilter.nf_conntrack_count, net.ipv4.netfilter.ip_conntrack_count]
              above: 100000
            """
        let old = try await evaluate(yaml, in: KernelFixtures.context(try KernelFixtures.centos5SeedHost()))
        #expect(old.state == .doesNotHold)
        #expect(old.detail == "ip_conntrack_count = 36271 entries (not above 100000); net.netfilter.nf_conntrack_count absent on this host; read net.ipv4.netfilter.ip_conntrack_count")
        #expect(old.predicate == "net.netfilter.nf_conntrack_count above 100000")
        #expect(old.kind == "value")
        #expect(old.readings.map(\.name) == ["net.ipv4.netfilter.ip_conntrack_count"])

        let modern = try await evaluate(yaml.replacingOccurrences(of: "100000", with: "100"),
                                        in: KernelFixtures.context(try KernelFixtures.modernHost()))
        #expect(modern.state == .holds)
        #expect(modern.detail == "nf_conntrack_count = 180 entries (above 100)")
        #expect(modern.threshold == 100)
    }

    @Test func betweenIsStrictOnBothEnds() async throws {
        let context = KernelFixtures.context(["/proc/slabinfo": try KernelFixtures.hostText("slabinfo_2.1_per_netns_320_from_slab_03.txt")])
        func run(_ above: String, _ below: String) async throws -> PredicateResult {
            try await evaluate("""
                value:
                  slabinfo: {cache: [nf_conntrack, ip_conntrack], column: objsize}
                  above: \(above)
                  below: \(below)
                """, in: context)
        }
        let inside = try await run("256", "384")
        #expect(inside.state == .holds)
        #expect(inside.detail.hasPrefix("nf_conntrack objsize = 320 bytes (320 B) (between 256 and 384)"))
        #expect(inside.detail.contains("largest of 3 per-network-namespace caches"))
        #expect(try await run("320", "384").state == .doesNotHold)
        #expect(try await run("256", "320").state == .doesNotHold)
        #expect(try await run("256", "320").detail.contains("(not between 256 and 320)"))
    }

    @Test func equalsAlone() async throws {
        let context = KernelFixtures.context(try KernelFixtures.modernHost())
        let yes = try await evaluate("""
            value:
              sysctl: net/netfilter/nf_conntrack_tcp_timeout_established
              equals: 432000
            """, in: context)
        #expect(yes.state == .holds)
        #expect(yes.detail == "nf_conntrack_tcp_timeout_established = 432000 s (5d) (equals 432000)")
        let no = try await evaluate("""
            value:
              sysctl: net.netfilter.nf_conntrack_buckets
              equals: 16384
            """, in: context)
        #expect(no.state == .doesNotHold)
        #expect(no.detail == "nf_conntrack_buckets = 65536 entries (does not equal 16384)")
    }

    @Test func parameterThresholdsFollowTheEvaluationParameters() async throws {
        let yaml = """
            value:
              meminfo: MemAvailable
              below: ${min_available}
            """
        let files = ["/proc/meminfo": try KernelFixtures.hostText("meminfo_01_2010_6GB_no_MemAvailable.txt")]
        let low = try await evaluate(yaml, in: KernelFixtures.context(files, parameters: ["min_available": 4 * 1_073_741_824]), parameters: ["min_available"])
        #expect(low.state == .holds)
        #expect(low.detail.hasPrefix("MemAvailable = 3156439040 bytes (2.9 GiB) (below 4294967296 (min_available))"))
        #expect(low.detail.contains("estimated as MemFree + Buffers + Cached"))
        let high = try await evaluate(yaml, in: KernelFixtures.context(files, parameters: ["min_available": 1_073_741_824]), parameters: ["min_available"])
        #expect(high.state == .doesNotHold)
        let missing = try await evaluate(yaml, in: KernelFixtures.context(files), parameters: ["min_available"])
        #expect(missing.state == .unknown)
        #expect(missing.detail.contains("parameter 'min_available' has no numeric value"))
        #expect(missing.readings.count == 1)
    }

    @Test func unknownsCarryTheReason() async throws {
        let absent = try await evaluate("""
            value:
              sysctl: [net.netfilter.nf_conntrack_count, net.ipv4.netfilter.ip_conntrack_count]
              above: 1
            """, in: KernelFixtures.context(["/proc/meminfo": "MemTotal: 1 kB\n"]))
        #expect(absent.state == .unknown)
        #expect(absent.detail.hasPrefix("none of the sysctl keys exists on this host"))

        let garbage = try await evaluate("""
            value:
              file: /sys/module/nf_conntrack/parameters/hashsize
              below: 65536
            """, in: KernelFixtures.context(["/sys/module/nf_conntrack/parameters/hashsize": "<html>oops</html>\n"]))
        #expect(garbage.state == .unknown)
        #expect(garbage.detail == "/sys/module/nf_conntrack/parameters/hashsize: expected a single number, found '<html>oops</html>'")
    }

    @Test func parseErrorsArePositioned() throws {
        let cases: [(String, Int, Int, String)] = [
            ("value: 5", 1, 8, "'value' must be a mapping"),
            ("value:\n  sysctl: []\n  above: 1", 2, 11, "at least one key"),
            ("value:\n  sysctl: {a: b}\n  above: 1", 2, 11, "found a mapping"),
            ("value:\n  sysctl: [net.a, net/a]\n  above: 1", 2, 19, "listed twice"),
            ("value:\n  file: relative/path\n  above: 1", 2, 9, "must be an absolute host path"),
            ("value:\n  file: /proc/../etc/shadow\n  above: 1", 2, 9, "'..' is not allowed"),
            ("value:\n  file: /proc/loadavg\n  field: 0\n  above: 1", 3, 10, "between 1 and 1000"),
            ("value:\n  meminfo: Mem Total\n  above: 1", 2, 12, "must be a field name"),
            ("value:\n  slabinfo: {column: objsize}\n  above: 1", 2, 13, "missing required key 'cache'"),
            ("value:\n  slabinfo: {cache: 'nf conntrack', column: objsize}\n  above: 1", 2, 21, "not a slab cache name"),
            ("value:\n  slabinfo: {cache: nf_conntrack, column: objsize, colour: red}\n  above: 1", 2, 52, "unknown key 'colour'"),
            ("value:\n  sysctl: net.netfilter.nf_conntrack_count\n  above: lots", 3, 10, "'above'"),
            ("value:\n  sysctl: net.netfilter.nf_conntrack_count\n  above: current", 3, 10, "unknown name 'current'"),
            ("value:\n  sysctl: net.netfilter.nf_conntrack_count\n  above: 1\n  abov: 2", 4, 3, "unknown key 'abov' in 'value'"),
        ]
        for (yaml, line, column, message) in cases {
            let diagnostics = try parsePredicate(yaml).diagnostics
            let match = diagnostics.first { $0.message.contains(message) }
            #expect(match != nil, "\(yaml): expected '\(message)', got \(diagnostics)")
            #expect(match.map { [$0.line, $0.column] } == [line, column], "\(yaml): \(diagnostics)")
        }
    }

    @Test func anUnknownSourceKeyIsNotAlsoReportedAsMissingSource() throws {
        let diagnostics = try parsePredicate("value:\n  meminf: MemFree\n  below: 1").diagnostics
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?.message == "unknown key 'meminf' in 'value' (did you mean 'meminfo'?)")
    }

    @Test func aMisspeltComparisonIsOneErrorWithASuggestion() throws {
        let diagnostics = try parsePredicate("value:\n  sysctl: net.netfilter.nf_conntrack_count\n  abve: 5").diagnostics
        #expect(diagnostics.map(\.message) == ["unknown key 'abve' in 'value' (did you mean 'above'?)"])
        #expect(diagnostics.map { [$0.line, $0.column] } == [[3, 3]])
    }

    @Test func summaryLines() throws {
        let cases: [(String, String)] = [
            ("value:\n  sysctl: [net.netfilter.nf_conntrack_count, net.ipv4.netfilter.ip_conntrack_count]\n  above: 100000",
             "net.netfilter.nf_conntrack_count above 100000"),
            ("value:\n  meminfo: MemAvailable\n  below: 512MiB", "meminfo MemAvailable below 512MiB"),
            ("value:\n  slabinfo: {cache: nf_conntrack, column: objsize}\n  above: 256\n  below: 400",
             "slabinfo nf_conntrack objsize between 256 and 400"),
            ("value:\n  file: /proc/loadavg\n  field: 1\n  equals: 0", "/proc/loadavg field 1 equals 0"),
        ]
        for (yaml, summary) in cases {
            #expect(try parsePredicate(yaml).predicate?.summaryLine == summary)
        }
    }
}
