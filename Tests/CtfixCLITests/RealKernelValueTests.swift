import CtfixCore
import Foundation
import Testing

/// The value sources, the ratio predicate and the conntrack snapshot read through the real
/// file system of this very machine (`RootedFileSystem("/")`), in the process's own namespace.
@Suite(.enabled(if: RealKernel.canReadHostConntrack, "conntrack is not loaded on this machine"))
struct RealKernelValueTests {
    func liveContext(parameters: [String: Double] = [:]) throws -> EvaluationContext {
        EvaluationContext(host: CtfixContext(fileSystem: try RootedFileSystem(root: "/"), isLiveHost: true), parameters: parameters)
    }

    @Test func countAndMaxAreNumbers() throws {
        let context = try liveContext()
        let count = try SysctlValueSource(knownKeys: ConntrackKeys.count).read(in: context).get()
        let max = try SysctlValueSource(knownKeys: ConntrackKeys.max).read(in: context).get()
        #expect(count.name == "net.netfilter.nf_conntrack_count")
        #expect(count.source == "/proc/sys/net/netfilter/nf_conntrack_count")
        #expect(count.value >= 0)
        #expect(max.value > 0)
        let hashsize = FileValueSource(path: "/sys/module/nf_conntrack/parameters/hashsize").read(in: context)
        if case .success(let reading) = hashsize { #expect(reading.value > 0) }
        let available = try MeminfoValueSource(field: "MemAvailable").read(in: context).get()
        #expect(available.value > 0)
        #expect(available.note == nil) // every kernel this runs on is newer than 3.14
    }

    @Test(.enabled(if: RealKernel.isRoot, "/proc/slabinfo is readable by root only"))
    func slabinfoHasTheConntrackCache() throws {
        let context = try liveContext()
        let text = try context.cachedText("/proc/slabinfo")
        let slabinfo = Slabinfo(parsing: text)
        #expect(slabinfo.version?.hasPrefix("2.") == true)
        #expect(slabinfo.caches(namedAnyOf: ["nf_conntrack"]) != nil)
        let size = try SlabinfoValueSource(caches: ["nf_conntrack"], column: .objsize).read(in: context).get()
        #expect((128...1024).contains(size.value))
    }

    @Test func theUsageRatioEvaluates() async throws {
        let node = try YAMLDocumentParser.parse("""
            ratio:
              numerator: {sysctl: [net.netfilter.nf_conntrack_count, net.ipv4.netfilter.ip_conntrack_count]}
              denominator: {sysctl: [net.netfilter.nf_conntrack_max, net.nf_conntrack_max, net.ipv4.netfilter.ip_conntrack_max]}
              below: ${usage_threshold}
            """, file: "real.yaml")
        var scope = ParseScope(file: "real.yaml", parameterNames: ["usage_threshold"])
        let predicate = try #require(Predicate.parse(node, scope: &scope))
        // Below 100.01%: holds whenever the table is not over-full, which a test machine never is.
        let result = await predicate.evaluate(in: try liveContext(parameters: ["usage_threshold": 1.0001]))
        #expect(result.state == .holds, "\(result.detail)")
        #expect(result.detail.hasPrefix("nf_conntrack_count / nf_conntrack_max = "))
        #expect(result.readings.count == 2)
    }

    @Test func endlessDevicesAreRefusedNotReadForever() throws {
        let context = try liveContext()
        let zero = FileValueSource(path: "/dev/zero").read(in: context)
        guard case .failure(let failure) = zero else {
            Issue.record("/dev/zero read as a number")
            return
        }
        // Refused before any byte is read: only regular files are opened for reading.
        #expect(failure.message == "/dev/zero: not a regular file")
    }

    @Test func theSnapshotOfThisHost() throws {
        let snapshot = ConntrackSnapshot.read(in: try liveContext())
        #expect(snapshot.hasBasics)
        #expect(snapshot.era.value == .nfConntrack)
        #expect(snapshot.module.value != nil, "\(snapshot.module.missingReason ?? "")")
        #expect(snapshot.nonInitialNamespace.value != nil, "\(snapshot.nonInitialNamespace.missingReason ?? "")")
        #expect(snapshot.establishedTimeout.value != nil)
        #expect(snapshot.budget != nil)
    }
}
