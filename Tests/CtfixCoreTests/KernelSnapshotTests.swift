import Testing
@testable import CtfixCore

@Suite struct KernelSnapshotTests {
    @Test func modernHost() throws {
        var files = try KernelFixtures.modernHost()
        files["/sys/module/nf_conntrack/parameters/hashsize"] = "65536\n"
        let snapshot = ConntrackSnapshot.read(in: KernelFixtures.context(files))
        #expect(snapshot.hasBasics)
        #expect(snapshot.era.value == .nfConntrack)
        #expect(snapshot.count.value == 180)
        #expect(snapshot.count.key == "net.netfilter.nf_conntrack_count")
        #expect(snapshot.max.value == 1000)
        #expect(snapshot.max.key == "net.netfilter.nf_conntrack_max")
        #expect(snapshot.usage == 0.18)
        #expect(snapshot.buckets.value == 65536)
        #expect(snapshot.hashsize.value == 65536)
        #expect(snapshot.establishedTimeout.value == 432000)
        #expect(snapshot.timeouts.map(\.name) == ["tcp_timeout_syn_sent", "tcp_timeout_syn_recv", "tcp_timeout_time_wait"])
        #expect(snapshot.timeouts.map(\.seconds) == [120, 60, 120])
        #expect(snapshot.entrySize.value == 256)
        #expect(!snapshot.entrySize.assumed)
        #expect(snapshot.entrySize.note == "nf_conntrack objsize in /proc/slabinfo")
        #expect(snapshot.entriesMemory.value == Double(180 * 256 + 65536 * 8))
        #expect(snapshot.memAvailable.value == Double(27_334_948 * 1024))
        #expect(snapshot.memTotal.value == Double(32_336_560 * 1024))
        // /sys/module/nf_conntrack exists (hashsize) but has no refcnt: built in.
        #expect(snapshot.module.value == .builtIn)
        #expect(snapshot.nonInitialNamespace.value == false)
        let budget = try #require(snapshot.budget)
        #expect(budget.budgetBytes == 0.25 * 27_334_948 * 1024)
        #expect(budget.bytesPerEntry == 264)
        #expect(budget.maxWithinBudget == 180 + (0.25 * 27_334_948 * 1024 / 264).rounded(.down))
        #expect(budget.fits(max: budget.maxWithinBudget))
        #expect(!budget.fits(max: budget.maxWithinBudget + 1))
    }

    @Test func centos5SeedHost() throws {
        let snapshot = ConntrackSnapshot.read(in: KernelFixtures.context(try KernelFixtures.centos5SeedHost()))
        #expect(snapshot.era.value == .ipConntrack)
        #expect(snapshot.count.value == 36271)
        #expect(snapshot.max.key == "net.ipv4.netfilter.ip_conntrack_max")
        #expect(snapshot.usage.map { ($0 * 100).rounded() } == 218)
        #expect(snapshot.buckets.key == "net.ipv4.netfilter.ip_conntrack_buckets")
        #expect(snapshot.hashsize.source == "/sys/module/ip_conntrack/parameters/hashsize")
        #expect(snapshot.establishedTimeout.key == "net.ipv4.netfilter.ip_conntrack_tcp_timeout_established")
        #expect(snapshot.timeouts.map(\.key) == ["net.ipv4.netfilter.ip_conntrack_udp_timeout"])
        #expect(snapshot.entrySize.value == 384)
        #expect(snapshot.module.value == .loadable)
        #expect(snapshot.moduleUsers.value == 3)
        #expect(snapshot.memAvailable.note?.contains("estimated") == true)
        #expect(snapshot.nonInitialNamespace.value == nil)
        // The budget counts from the entries that exist (already allocated), 384 + 8 bytes each.
        let budget = try #require(snapshot.budget)
        #expect(budget.maxWithinBudget == 36271 + (0.25 * 3_156_439_040 / 392).rounded(.down))
    }

    @Test func unreadableSlabinfoFallsBackTo320Assumed() throws {
        let host = InMemoryFileSystem(try KernelFixtures.modernHost())
        host.denyAccess("/proc/slabinfo")
        let snapshot = ConntrackSnapshot.read(in: KernelFixtures.context(host))
        #expect(snapshot.entrySize.value == 320)
        #expect(snapshot.entrySize.assumed)
        #expect(snapshot.entrySize.note?.contains("permission denied") == true)
        #expect(snapshot.entriesMemory.assumed)
        #expect(snapshot.budget?.entrySize == 320)
    }

    @Test func perNamespaceSlabCachesOnA3xHost() throws {
        var files = try KernelFixtures.modernHost()
        files["/proc/slabinfo"] = try KernelFixtures.hostText("slabinfo_2.1_per_netns_320_from_slab_03.txt")
        let snapshot = ConntrackSnapshot.read(in: KernelFixtures.context(files))
        #expect(snapshot.entrySize.value == 320)
        #expect(snapshot.entrySize.note?.contains("largest of 3 per-network-namespace caches") == true)
    }

    @Test func nonInitialNamespaceFromTheMissingAlias() throws {
        var files = try KernelFixtures.modernHost()
        files["/proc/sys/net/nf_conntrack_max"] = nil
        let snapshot = ConntrackSnapshot.read(in: KernelFixtures.context(files))
        #expect(snapshot.nonInitialNamespace.value == true)
        #expect(snapshot.nonInitialNamespace.note?.contains("read-only here") == true)
    }

    @Test func userNamespaceContainerHidesCountAndMax() throws {
        // sysctl_06: nf_conntrack_max and nf_conntrack_count do not exist inside the container.
        let hidden = try KernelFixtures.resource("sysctl_06_nspawn_userns_hidden_sysctls.txt")
        #expect(hidden.contains("nf_conntrack_max': No such file or directory"))
        let snapshot = ConntrackSnapshot.read(in: KernelFixtures.context([
            "/proc/sys/net/netfilter/nf_conntrack_tcp_timeout_established": "432000\n",
            "/proc/sys/net/netfilter/nf_conntrack_buckets": "16384\n",
        ]))
        #expect(!snapshot.hasBasics)
        #expect(snapshot.era.value == .nfConntrack)
        #expect(snapshot.nonInitialNamespace.value == true)
        #expect(snapshot.nonInitialNamespace.note?.contains("hidden") == true)
        #expect(snapshot.count.missingReason?.contains("none of the sysctl keys exists") == true)
    }

    @Test func noConntrackAtAll() {
        let snapshot = ConntrackSnapshot.read(in: KernelFixtures.context(["/proc/meminfo": "MemTotal: 1024 kB\nMemAvailable: 512 kB\n"]))
        #expect(!snapshot.hasBasics)
        #expect(snapshot.era.value == nil)
        #expect(snapshot.era.missingReason?.contains("not loaded") == true)
        #expect(snapshot.module.value == .notLoaded)
        #expect(snapshot.budget == nil)
        #expect(snapshot.entriesMemory.missingReason == "the entry count is unknown")
        #expect(snapshot.hashsize.missingReason?.contains("no hashsize module parameter") == true)
    }

    @Test func routerWithMoreBucketsThanMax() throws {
        // sysctl_03: buckets 32768 above max 8192 (max lowered from a web UI).
        let line = try KernelFixtures.hostText("sysctl_03_router_buckets_gt_max.txt")
        var files: [String: String] = ["/proc/sys/net/netfilter/nf_conntrack_count": "100\n"]
        for pair in line.split(whereSeparator: \.isWhitespace) {
            let parts = pair.split(separator: "=")
            guard parts.count == 2 else { continue }
            files["/proc/sys/net/netfilter/\(parts[0])"] = "\(parts[1])\n"
        }
        let snapshot = ConntrackSnapshot.read(in: KernelFixtures.context(files))
        #expect(snapshot.max.value == 8192)
        #expect(snapshot.buckets.value == 32768)
        #expect(snapshot.entrySize.assumed)
        #expect(snapshot.entriesMemory.value == Double(100 * 320 + 32768 * 8))
        #expect(snapshot.module.missingReason?.contains("cannot tell module from built-in") == true)
    }
}
