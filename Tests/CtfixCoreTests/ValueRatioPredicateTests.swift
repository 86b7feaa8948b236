import Testing
@testable import CtfixCore

@Suite struct ValueRatioPredicateTests {
    static let usage = """
        ratio:
          numerator: {sysctl: [net.netfilter.nf_conntrack_count, net.ipv4.netfilter.ip_conntrack_count]}
          denominator: {sysctl: [net.netfilter.nf_conntrack_max, net.nf_conntrack_max, net.ipv4.netfilter.ip_conntrack_max]}
          above: ${usage_threshold}
        """

    @Test func theCentos5SeedIsOverFull() async throws {
        let context = KernelFixtures.context(try KernelFixtures.centos5SeedHost(), parameters: ["usage_threshold": 0.9])
        let result = try await evaluate(Self.usage, in: context, parameters: ["usage_threshold"])
        #expect(result.state == .holds)
        #expect(result.detail.hasPrefix("ip_conntrack_count / ip_conntrack_max = 36271 / 16640 = 218% (above 90% (usage_threshold))"))
        #expect(result.predicate == "net.netfilter.nf_conntrack_count / net.netfilter.nf_conntrack_max above 90% (usage_threshold)")
        #expect(result.readings.map(\.value) == [36271, 16640])
        #expect(result.threshold == 0.9) // for Nagios perfdata
        #expect(result.readings.map(\.source) == ["/proc/sys/net/ipv4/netfilter/ip_conntrack_count", "/proc/sys/net/ipv4/netfilter/ip_conntrack_max"])
    }

    @Test func aModernHostBelowTheThreshold() async throws {
        // sysctl_01: 180 / 1000 = 18%.
        let context = KernelFixtures.context(try KernelFixtures.modernHost(), parameters: ["usage_threshold": 0.9])
        let result = try await evaluate(Self.usage, in: context, parameters: ["usage_threshold"])
        #expect(result.state == .doesNotHold)
        #expect(result.detail == "nf_conntrack_count / nf_conntrack_max = 180 / 1000 = 18% (not above 90% (usage_threshold))")
        let lowered = KernelFixtures.context(try KernelFixtures.modernHost(), parameters: ["usage_threshold": 0.15])
        #expect(try await evaluate(Self.usage, in: lowered, parameters: ["usage_threshold"]).state == .holds)
    }

    @Test func literalPercentThresholds() async throws {
        let context = KernelFixtures.context(try KernelFixtures.modernHost())
        let result = try await evaluate("""
            ratio:
              numerator: {sysctl: net.netfilter.nf_conntrack_count}
              denominator: {sysctl: net.netfilter.nf_conntrack_max}
              above: 10%
              below: 20%
            """, in: context)
        #expect(result.state == .holds)
        #expect(result.detail == "nf_conntrack_count / nf_conntrack_max = 180 / 1000 = 18% (between 10% and 20%)")
        #expect(result.predicate == "net.netfilter.nf_conntrack_count / net.netfilter.nf_conntrack_max between 10% and 20%")
    }

    @Test func memoryRatiosWithTheEstimateNoted() async throws {
        let context = KernelFixtures.context(["/proc/meminfo": try KernelFixtures.hostText("meminfo_01_2010_6GB_no_MemAvailable.txt")])
        let result = try await evaluate("""
            ratio:
              numerator: {meminfo: MemAvailable}
              denominator: {meminfo: MemTotal}
              below: 60%
            """, in: context)
        // 3082460 / 6118616 kB = 50.4%
        #expect(result.state == .holds)
        #expect(result.detail.hasPrefix("MemAvailable / MemTotal = 3156439040 / 6265462784 = 50.4% (below 60%)"))
        #expect(result.detail.contains("estimated"))
    }

    @Test func aZeroDenominatorIsUnknownNotACrash() async throws {
        let context = KernelFixtures.context(["/proc/sys/net/netfilter/nf_conntrack_count": "5\n", "/proc/sys/net/netfilter/nf_conntrack_max": "0\n"])
        let result = try await evaluate("""
            ratio:
              numerator: {sysctl: net.netfilter.nf_conntrack_count}
              denominator: {sysctl: net.netfilter.nf_conntrack_max}
              above: 90%
            """, in: context)
        #expect(result.state == .unknown)
        #expect(result.detail == "nf_conntrack_count / nf_conntrack_max = 5 / 0: the ratio is undefined (nf_conntrack_max is zero in /proc/sys/net/netfilter/nf_conntrack_max)")
        #expect(result.readings.count == 2)
    }

    @Test func anUnreadableSideIsUnknownAndNamesTheSide() async throws {
        let context = KernelFixtures.context(["/proc/sys/net/netfilter/nf_conntrack_count": "5\n", "/proc/sys/net/netfilter/nf_conntrack_max": "many\n"])
        let result = try await evaluate("""
            ratio:
              numerator: {sysctl: net.netfilter.nf_conntrack_count}
              denominator: {sysctl: net.netfilter.nf_conntrack_max}
              above: 90%
            """, in: context)
        #expect(result.state == .unknown)
        #expect(result.detail == "denominator: /proc/sys/net/netfilter/nf_conntrack_max: expected a single number, found 'many'")
        #expect(result.readings.map(\.value) == [5])
    }

    @Test func negativeParameterThresholdIsUnknownAtEvaluation() async throws {
        let context = KernelFixtures.context(try KernelFixtures.modernHost(), parameters: ["usage_threshold": -0.5])
        let result = try await evaluate(Self.usage, in: context, parameters: ["usage_threshold"])
        #expect(result.state == .unknown)
        #expect(result.detail.contains("is negative"))
    }

    // Deliberately changed (issue 10, item 4): ratio thresholds are shares; `above: 1.5` was
    // allowed as "a fraction above one" and is now refused with the suggestion, like `above: 80`.
    // A ratio above 1 by nature is written the other way round (hashsize / max below 67%).
    @Test func aThresholdAboveOneIsRefusedWhetherBareOrPercent() throws {
        let bare = try parsePredicate("""
            ratio:
              numerator: {sysctl: net.netfilter.nf_conntrack_count}
              denominator: {sysctl: net.netfilter.nf_conntrack_max}
              above: 1.5
            """)
        #expect(bare.diagnostics.map(\.message) == ["a ratio threshold is a share: 1.5 is not a share; write 1.5% or 0.015"])
        let percent = try parsePredicate("""
            ratio:
              numerator: {sysctl: net.netfilter.nf_conntrack_count}
              denominator: {sysctl: net.netfilter.nf_conntrack_max}
              above: 150%
            """)
        #expect(percent.diagnostics.first?.message.contains("150% is above 100%") == true)
        let inverted = try parsePredicate("""
            ratio:
              numerator: {file: /sys/module/nf_conntrack/parameters/hashsize}
              denominator: {sysctl: net.netfilter.nf_conntrack_max}
              below: 67%
            """)
        #expect(inverted.diagnostics.isEmpty)
    }

    @Test func sourceMappingsMustBeMappings() throws {
        let diagnostics = try parsePredicate("""
            ratio:
              numerator: net.netfilter.nf_conntrack_count
              denominator: {sysctl: net.netfilter.nf_conntrack_max}
              above: 90%
            """).diagnostics
        #expect(diagnostics.map { [$0.line, $0.column] } == [[2, 14]])
        #expect(diagnostics.first?.message == "'numerator' must be a mapping, found 'net.netfilter.nf_conntrack_count'")
    }
}
