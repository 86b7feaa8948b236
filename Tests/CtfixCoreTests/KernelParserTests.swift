import Testing
@testable import CtfixCore

@Suite struct KernelParserTests {
    // MARK: Sysctl keys

    @Test(arguments: [
        ("net.netfilter.nf_conntrack_max", "/proc/sys/net/netfilter/nf_conntrack_max"),
        ("net/netfilter/nf_conntrack_max", "/proc/sys/net/netfilter/nf_conntrack_max"),
        ("net.nf_conntrack_max", "/proc/sys/net/nf_conntrack_max"),
        ("net.ipv4.netfilter.ip_conntrack_max", "/proc/sys/net/ipv4/netfilter/ip_conntrack_max"),
        ("net/ipv4/conf/eth0.100/rp_filter", "/proc/sys/net/ipv4/conf/eth0.100/rp_filter"),
    ])
    func sysctlKeysMapToProcSys(_ key: String, _ path: String) throws {
        #expect(try SysctlKey(key).path == path)
    }

    @Test(arguments: [
        ("", "empty"), ("/proc/sys/net/netfilter/nf_conntrack_max", "not an absolute path"),
        ("net/../../etc/shadow", "'..'"), ("net..nf_conntrack_max", "empty component"),
        ("net.netfilter.", "empty component"), ("net/./netfilter", "'.'"),
        ("net.netfilter.nf conntrack", "character ' '"), ("net.netfilter.$(reboot)", "character '$'"),
        ("net//netfilter", "empty component"),
    ])
    func badSysctlKeysAreRefusedWithTheReason(_ key: String, _ reason: String) {
        #expect {
            _ = try SysctlKey(key)
        } throws: { error in
            (error as? SysctlKey.Invalid)?.description.contains(reason) == true
        }
    }

    @Test func sysctlKeyUnitsFollowTheName() throws {
        #expect(try SysctlKey("net.netfilter.nf_conntrack_count").unit == "entries")
        #expect(try SysctlKey("net.netfilter.nf_conntrack_tcp_timeout_established").unit == "seconds")
        #expect(try SysctlKey("vm.min_free_kbytes").unit == "")
    }

    // MARK: Numbers

    @Test func hostNumbersAreStrict() {
        #expect(HostNumber.parse(" 65536\n") == 65536)
        #expect(HostNumber.parse("-1") == -1)
        #expect(HostNumber.parse("0.5") == 0.5)
        for text in ["nan", "inf", "0x10", "1e5", "", "12 34", "1.", ".5", "abc"] {
            #expect(HostNumber.parse(text) == nil, "\(text) must not read as a number")
        }
    }

    // MARK: meminfo

    @Test func modernMeminfoIsInBytes() throws {
        let meminfo = Meminfo(parsing: try KernelFixtures.hostText("meminfo_02_modern_32GB_go_testdata.txt"))
        #expect(meminfo["MemTotal"] == Double(32_336_560 * 1024))
        #expect(meminfo["MemAvailable"] == Double(27_334_948 * 1024))
        #expect(meminfo["HugePages_Total"] == 0)
        #expect(meminfo.fields["HugePages_Total"]?.unit == "")
        let available = try meminfo.reading("MemAvailable").get()
        #expect(available.note == nil)
        #expect(available.unit == "bytes")
    }

    @Test func memAvailableIsEstimatedBefore314() throws {
        let meminfo = Meminfo(parsing: try KernelFixtures.hostText("meminfo_01_2010_6GB_no_MemAvailable.txt"))
        #expect(meminfo.fields["MemAvailable"] == nil)
        let estimate = try meminfo.reading("MemAvailable").get()
        // MemFree 1501416 + Buffers 279508 + Cached 1301536 kB
        #expect(estimate.value == (1_501_416 + 279_508 + 1_301_536) * 1024)
        #expect(estimate.note?.contains("estimated") == true)
        #expect(estimate.note?.contains("3.14") == true)
    }

    @Test func aMissingMeminfoFieldNamesTheFileAndSuggests() throws {
        let meminfo = Meminfo(parsing: try KernelFixtures.hostText("meminfo_02_modern_32GB_go_testdata.txt"))
        let failure = try #require(meminfo.reading("MemFrei").failure)
        #expect(failure.message == "/proc/meminfo has no 'MemFrei' line (did you mean 'MemFree'?)")
        let garbage = Meminfo(parsing: "hello world\n")
        #expect(garbage.reading("MemTotal").failure?.message.contains("not a meminfo file") == true)
    }

    // MARK: slabinfo

    @Test func slabinfo21ModernGlobalCache() throws {
        let slabinfo = Slabinfo(parsing: try KernelFixtures.hostText("slabinfo_2.1_modern_6.18_dev_host.txt"))
        #expect(slabinfo.version == "2.1")
        let size = try slabinfo.reading(cache: ["nf_conntrack"], column: .objsize).get()
        #expect(size.value == 256)
        #expect(size.name == "nf_conntrack objsize")
        #expect(size.note == nil)
        #expect(try slabinfo.reading(cache: ["nf_conntrack"], column: .numSlabs).get().value == 4)
    }

    @Test func slabinfo1xLineWithoutHeader() throws {
        let slabinfo = Slabinfo(parsing: try KernelFixtures.hostText("slab_07_ip_conntrack_slabinfo_v1_384.txt"))
        #expect(slabinfo.version == nil)
        // ip_conntrack 6537 16620 384 984 1662 1 : 496 124
        let read = { (column: Slabinfo.Column) in try slabinfo.reading(cache: ["nf_conntrack", "ip_conntrack"], column: column).get() }
        #expect(try read(.activeObjs).value == 6537)
        #expect(try read(.numObjs).value == 16620)
        #expect(try read(.objsize).value == 384)
        #expect(try read(.activeSlabs).value == 984)
        #expect(try read(.numSlabs).value == 1662)
        #expect(try read(.pagesperslab).value == 1)
        let perSlab = try read(.objperslab)
        #expect(perSlab.value == 10)
        #expect(perSlab.note?.contains("computed") == true)
    }

    @Test func slabinfo1xWithHeaderAndNoPagesPerSlab() {
        let slabinfo = Slabinfo(parsing: "slabinfo - version: 1.0\nip_conntrack 10 20 352 2 2\n")
        #expect(slabinfo.reading(cache: ["ip_conntrack"], column: .objsize).success?.value == 352)
        #expect(slabinfo.reading(cache: ["ip_conntrack"], column: .pagesperslab).failure?.message.contains("no pagesperslab column") == true)
    }

    @Test func perNamespaceCachesAreSummedAndSizesMaxed() throws {
        let slabinfo = Slabinfo(parsing: try KernelFixtures.hostText("slabinfo_2.1_per_netns_320_from_slab_03.txt"))
        let active = try slabinfo.reading(cache: ["nf_conntrack"], column: .activeObjs).get()
        #expect(active.value == 7513 + 918 + 8772)
        #expect(active.note?.contains("summed over 3 per-network-namespace caches") == true)
        #expect(try slabinfo.reading(cache: ["nf_conntrack"], column: .numObjs).get().value == 8619 + 918 + 9027)
        #expect(try slabinfo.reading(cache: ["nf_conntrack"], column: .objsize).get().value == 320)
    }

    @Test func expectationCacheNeverCountsAsConntrack() throws {
        let slabinfo = Slabinfo(parsing: try KernelFixtures.hostText("slabinfo_2.1_per_netns_with_expect_from_slab_01.txt"))
        let size = try slabinfo.reading(cache: ["nf_conntrack"], column: .objsize).get()
        #expect(size.value == 312) // not the expectation cache's 240
        #expect(try slabinfo.reading(cache: ["nf_conntrack"], column: .activeObjs).get().value == 18)
        #expect(!Slabinfo.cache("nf_conntrack_expect", isInstanceOf: "nf_conntrack"))
        #expect(!Slabinfo.cache("nf_conntrack_acct", isInstanceOf: "nf_conntrack"))
        #expect(Slabinfo.cache("nf_conntrack_ffffffff81b2a920", isInstanceOf: "nf_conntrack"))
        // The 2.6 seed: ip_conntrack_expect must not be read for ip_conntrack either.
        let seed = Slabinfo(parsing: try KernelFixtures.hostText("slabinfo_2.1_ip_conntrack_centos5_seed.txt"))
        #expect(try seed.reading(cache: ["nf_conntrack", "ip_conntrack"], column: .objsize).get().value == 384)
        #expect(try seed.reading(cache: ["ip_conntrack"], column: .activeObjs).get().value == 36271)
    }

    @Test func quotedPrintableSampleDecodesToTheSlubLayout() throws {
        let slabinfo = Slabinfo(parsing: try KernelFixtures.hostText("slabinfo_2.1_slub_312_from_slab_05.txt"))
        #expect(try slabinfo.reading(cache: ["nf_conntrack"], column: .objsize).get().value == 312)
        #expect(try slabinfo.reading(cache: ["nf_conntrack"], column: .objperslab).get().value == 13)
        #expect(try slabinfo.reading(cache: ["nf_conntrack"], column: .activeSlabs).get().value == 273)
    }

    @Test func missingAndMalformedCachesAreNamed() throws {
        let slabinfo = Slabinfo(parsing: "slabinfo - version: 2.1\nnf_conntrack 12 x 256 16 1 : tunables 0 0 0 : slabdata 1 1 0\nkmalloc-8 1 1 8 512 1\n")
        let malformed = try #require(slabinfo.reading(cache: ["nf_conntrack"], column: .objsize).failure)
        #expect(malformed.message.contains("/proc/slabinfo line 2"))
        let absent = try #require(slabinfo.reading(cache: ["ip_conntrack"], column: .objsize).failure)
        #expect(absent.message == "/proc/slabinfo has no ip_conntrack cache")
        #expect(absent.isAbsent)
        #expect(Slabinfo(parsing: "").reading(cache: ["nf_conntrack"], column: .objsize).failure?.message.contains("not a slabinfo file") == true)
    }
}

extension Result {
    var failure: Failure? { if case .failure(let error) = self { error } else { nil } }
    var success: Success? { if case .success(let value) = self { value } else { nil } }
}
