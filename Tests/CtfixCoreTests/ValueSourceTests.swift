import Testing
@testable import CtfixCore

/// Each value source read against in-memory hosts built from real samples.
@Suite struct ValueSourceTests {
    let count = SysctlValueSource(knownKeys: ConntrackKeys.count)
    let max = SysctlValueSource(knownKeys: ConntrackKeys.max)

    @Test func modernKeysWinOnAModernHost() throws {
        let context = KernelFixtures.context(try KernelFixtures.sysctlFiles("sysctl_01_ubuntu1804_lab_grep_conntrack.txt"))
        let reading = try count.read(in: context).get()
        #expect(reading == Reading(name: "net.netfilter.nf_conntrack_count", source: "/proc/sys/net/netfilter/nf_conntrack_count",
                                   value: 180, unit: "entries"))
        #expect(try max.read(in: context).get().value == 1000)
    }

    @Test func ipConntrackKeysAnswerOn26AndTheReadingNamesThem() throws {
        let context = KernelFixtures.context(try KernelFixtures.centos5SeedHost())
        let reading = try max.read(in: context).get()
        #expect(reading.name == "net.ipv4.netfilter.ip_conntrack_max")
        #expect(reading.source == "/proc/sys/net/ipv4/netfilter/ip_conntrack_max")
        #expect(reading.value == 16640)
        #expect(reading.note == "net.netfilter.nf_conntrack_max, net.nf_conntrack_max absent on this host; read net.ipv4.netfilter.ip_conntrack_max")
        #expect(try count.read(in: context).get().value == 36271)
    }

    @Test func theLegacyAliasIsAnAlternativeToo() throws {
        // sysctl_05: a 6.1 VPS where both paths exist; a playbook listing only the alias still reads it.
        let files = try KernelFixtures.sysctlFiles("sysctl_05_small_vps_6.1_legacy_path.txt")
        #expect(files["/proc/sys/net/nf_conntrack_max"] == "6656\n")
        let context = KernelFixtures.context(files)
        let alias = SysctlValueSource(knownKeys: ["net.nf_conntrack_max"])
        #expect(try alias.read(in: context).get().value == 6656)
        #expect(try max.read(in: context).get().name == "net.netfilter.nf_conntrack_max")
        // Only the alias present (a host where the netfilter directory was not captured).
        let aliasOnly = KernelFixtures.context(["/proc/sys/net/nf_conntrack_max": "6656\n"])
        #expect(try max.read(in: aliasOnly).get().name == "net.nf_conntrack_max")
    }

    @Test func noKeyPresentIsAnAbsentFailureWithAHint() throws {
        // sysctl_06: a user-namespace container hides nf_conntrack_max and count.
        let context = KernelFixtures.context(["/proc/sys/net/netfilter/nf_conntrack_tcp_timeout_established": "432000\n"])
        let failure = try #require(count.read(in: context).failure)
        #expect(failure.isAbsent)
        #expect(failure.message.contains("none of the sysctl keys exists on this host: net.netfilter.nf_conntrack_count (/proc/sys/net/netfilter/nf_conntrack_count)"))
        #expect(failure.message.contains("is conntrack loaded"))
    }

    @Test func nonNumericSysctlNamesTheFileAndTheText() throws {
        let context = KernelFixtures.context([
            "/proc/sys/net/netfilter/nf_conntrack_max": "lots\n",
            "/proc/sys/net/ipv4/ip_local_port_range": "32768\t60999\n",
        ])
        let failure = try #require(max.read(in: context).failure)
        #expect(failure.message == "/proc/sys/net/netfilter/nf_conntrack_max: expected a single number, found 'lots'")
        let range = SysctlValueSource(knownKeys: ["net.ipv4.ip_local_port_range"])
        let several = try #require(range.read(in: context).failure)
        #expect(several.message.contains("found '32768\\t60999'"))
        #expect(several.message.contains("use 'file: /proc/sys/net/ipv4/ip_local_port_range' with 'field: N'"))
    }

    @Test func anUnreadableFirstKeyWinsAndSaysWhy() throws {
        let host = InMemoryFileSystem(["/proc/sys/net/netfilter/nf_conntrack_max": "1\n", "/proc/sys/net/nf_conntrack_max": "2\n"])
        host.denyAccess("/proc/sys/net/netfilter/nf_conntrack_max")
        let failure = try #require(max.read(in: KernelFixtures.context(host)).failure)
        #expect(failure.message == "/proc/sys/net/netfilter/nf_conntrack_max: permission denied")
    }

    @Test func fileSourceReadsWholeContentOrAField() throws {
        let context = KernelFixtures.context(try KernelFixtures.sysctlFiles("sysctl_04_firewall_hashsize_vs_max.txt")
            .merging(["/proc/sys/net/ipv4/ip_local_port_range": "32768\t60999\n", "/proc/loadavg": "0.52 0.58 0.59 1/389 12345\n"]) { a, _ in a })
        let hashsize = try FileValueSource(path: "/sys/module/nf_conntrack/parameters/hashsize").read(in: context).get()
        #expect(hashsize.value == 262144)
        #expect(hashsize.source == "/sys/module/nf_conntrack/parameters/hashsize")
        #expect(try FileValueSource(path: "/proc/sys/net/ipv4/ip_local_port_range", field: 2).read(in: context).get().value == 60999)
        #expect(try FileValueSource(path: "/proc/loadavg", field: 1).read(in: context).get().value == 0.52)
        let notNumber = try #require(FileValueSource(path: "/proc/loadavg", field: 4).read(in: context).failure)
        #expect(notNumber.message == "/proc/loadavg: expected a number in field 4, found '1/389'")
        let tooFew = try #require(FileValueSource(path: "/proc/sys/net/ipv4/ip_local_port_range", field: 3).read(in: context).failure)
        #expect(tooFew.message.contains("field 3 asked, but it has 2 fields"))
        let whole = try #require(FileValueSource(path: "/proc/loadavg").read(in: context).failure)
        #expect(whole.message == "/proc/loadavg: expected a single number, found '0.52 0.58 0.59 1/389 12345'")
        let missing = try #require(FileValueSource(path: "/sys/module/nf_conntrack/refcnt").read(in: context).failure)
        #expect(missing.message == "/sys/module/nf_conntrack/refcnt: no such file or directory")
        let empty = KernelFixtures.context(["/run/ctfix/value": ""])
        #expect(FileValueSource(path: "/run/ctfix/value").read(in: empty).failure?.message == "/run/ctfix/value: expected a single number, found nothing (an empty file)")
    }

    @Test func fileSourceRefusesHugeFilesInsteadOfReadingThemWhole() throws {
        let context = KernelFixtures.context(["/var/log/huge": String(repeating: "1", count: FileValueSource.maximumBytes + 10)])
        let failure = try #require(FileValueSource(path: "/var/log/huge").read(in: context).failure)
        #expect(failure.message.contains("larger than 64 KiB"))
    }

    @Test func meminfoSourceWithAndWithoutMemAvailable() throws {
        let modern = KernelFixtures.context(["/proc/meminfo": try KernelFixtures.hostText("meminfo_02_modern_32GB_go_testdata.txt")])
        let available = try MeminfoValueSource(field: "MemAvailable").read(in: modern).get()
        #expect(available.value == 27_334_948 * 1024)
        #expect(available.note == nil)
        let old = KernelFixtures.context(["/proc/meminfo": try KernelFixtures.hostText("meminfo_01_2010_6GB_no_MemAvailable.txt")])
        let estimated = try MeminfoValueSource(field: "MemAvailable").read(in: old).get()
        #expect(estimated.note?.hasPrefix("estimated") == true)
        #expect(try MeminfoValueSource(field: "SReclaimable").read(in: old).get().value == 107_648 * 1024)
        let noFile = try #require(MeminfoValueSource(field: "MemTotal").read(in: KernelFixtures.context([:])).failure)
        #expect(noFile.message == "/proc/meminfo: no such file or directory")
    }

    @Test func slabinfoSourceAcrossEras() throws {
        let source = SlabinfoValueSource(caches: ["nf_conntrack", "ip_conntrack"], column: .objsize)
        let cases: [(String, Double)] = [
            ("slabinfo_2.1_modern_6.18_dev_host.txt", 256), ("slab_07_ip_conntrack_slabinfo_v1_384.txt", 384),
            ("slabinfo_2.1_per_netns_320_from_slab_03.txt", 320), ("slabinfo_2.1_slub_312_from_slab_05.txt", 312),
            ("slabinfo_2.1_ip_conntrack_centos5_seed.txt", 384),
        ]
        for (name, size) in cases {
            let context = KernelFixtures.context(["/proc/slabinfo": try KernelFixtures.hostText(name)])
            #expect(try source.read(in: context).get().value == size, "\(name)")
        }
    }

    @Test func slabinfoPermissionDeniedIsExplained() throws {
        let host = InMemoryFileSystem(["/proc/slabinfo": try KernelFixtures.hostText("slabinfo_2.1_modern_6.18_dev_host.txt")])
        host.denyAccess("/proc/slabinfo")
        let source = SlabinfoValueSource(caches: ["nf_conntrack"], column: .objsize)
        let failure = try #require(source.read(in: KernelFixtures.context(host)).failure)
        #expect(failure.message == "/proc/slabinfo: permission denied (/proc/slabinfo is readable by root only; run ctfix as root)")
        #expect(!failure.isAbsent)
    }
}
