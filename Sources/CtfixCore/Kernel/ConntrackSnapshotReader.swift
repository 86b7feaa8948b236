#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension ConntrackSnapshot {
    /// Reads the snapshot through `context` (its file system and read cache), never failing:
    /// whatever cannot be read is a missing fact with the reason.
    /// - Parameter memoryShare: the share of MemAvailable the budget allows (default 25%).
    public static func read(in context: EvaluationContext, memoryShare: Double = 0.25) -> ConntrackSnapshot {
        let fileSystem = context.host.fileSystem
        func sysctl(_ keys: [String]) -> KernelFact<Double> {
            KernelFact(SysctlValueSource(knownKeys: keys).read(in: context), isSysctl: true)
        }

        let count = sysctl(ConntrackKeys.count)
        let max = sysctl(ConntrackKeys.max)
        let buckets = sysctl(ConntrackKeys.buckets)
        let established = sysctl(ConntrackKeys.establishedTimeout)
        let era = Self.era(from: [count, max, established])

        let timeouts: [Timeout] = ConntrackKeys.otherTimeouts.compactMap { suffix in
            let fact = sysctl(ConntrackKeys.timeoutKeys(suffix))
            guard let seconds = fact.value, let key = fact.key else { return nil }
            return Timeout(name: suffix, key: key, seconds: seconds)
        }

        var hashsize = KernelFact<Double>.missing("no hashsize module parameter (\(ConntrackKeys.hashsizePaths.joined(separator: ", ")))")
        for path in ConntrackKeys.hashsizePaths where fileSystem.exists(path) {
            hashsize = KernelFact(FileValueSource(path: path).read(in: context))
            break
        }

        let slabCaches = era.value == .ipConntrack ? ConntrackKeys.slabCaches.reversed() : ConntrackKeys.slabCaches
        var entrySize: KernelFact<Double>
        switch SlabinfoValueSource(caches: slabCaches, column: .objsize).read(in: context) {
        case .success(let reading):
            entrySize = KernelFact(reading)
            entrySize.note = ["\(reading.name) in \(Slabinfo.path)", reading.note].compactMap { $0 }.joined(separator: "; ")
        case .failure(let failure):
            entrySize = KernelFact(value: ConntrackKeys.assumedEntrySize,
                                   note: "assumed \(formatNumber(ConntrackKeys.assumedEntrySize)) bytes: \(failure.message)",
                                   assumed: true)
        }

        let meminfo: Meminfo?
        var memoryFailure = ""
        do { meminfo = Meminfo(parsing: try context.cachedText(Meminfo.path)) } catch {
            meminfo = nil
            memoryFailure = HostReadFailure(error).message
        }
        let memTotal = meminfo.map { KernelFact($0.reading("MemTotal")) } ?? .missing(memoryFailure)
        let memAvailable = meminfo.map { KernelFact($0.reading("MemAvailable")) } ?? .missing(memoryFailure)

        let (module, users) = Self.moduleState(era: era.value, hasSysctls: count.value != nil || max.value != nil, fileSystem: fileSystem)
        let namespace = Self.namespaceFact(max: max, count: count, established: established, context: context)

        return ConntrackSnapshot(
            era: era, count: count, max: max, buckets: buckets, hashsize: hashsize,
            establishedTimeout: established, timeouts: timeouts, entrySize: entrySize,
            memTotal: memTotal, memAvailable: memAvailable, module: module, moduleUsers: users,
            nonInitialNamespace: namespace, memoryShare: memoryShare)
    }

    /// The era follows the key family that answered.
    static func era(from facts: [KernelFact<Double>]) -> KernelFact<ConntrackEra> {
        for fact in facts {
            guard let key = fact.key else { continue }
            let era: ConntrackEra = key.containsLiteral("ip_conntrack") ? .ipConntrack : .nfConntrack // a sysctl key: ASCII
            return KernelFact(value: era, source: fact.source, key: key)
        }
        return .missing("no conntrack sysctls (\(ConntrackKeys.count[0]), \(ConntrackKeys.count[1])): conntrack is not loaded, or hidden in this namespace")
    }

    /// Loadable when the module has a `refcnt` file, built in when its directory has none.
    static func moduleState(era: ConntrackEra?, hasSysctls: Bool, fileSystem: any FileSystem)
        -> (KernelFact<ConntrackModuleState>, KernelFact<Double>) {
        let candidates: [ConntrackEra] = era.map { [$0] } ?? [.nfConntrack, .ipConntrack]
        for candidate in candidates {
            let directory = ConntrackKeys.moduleDirectory(candidate)
            guard fileSystem.exists(directory) else { continue }
            let refcnt = directory + "/refcnt"
            guard fileSystem.exists(refcnt) else {
                return (KernelFact(value: .builtIn, source: directory, note: "\(directory) has no refcnt: compiled into the kernel, cannot be unloaded"),
                        .missing("built into the kernel: no refcnt"))
            }
            let users: KernelFact<Double>
            do {
                let text = try fileSystem.readText(refcnt)
                users = HostNumber.parse(text).map { KernelFact(value: $0, source: refcnt) }
                    ?? .missing(HostReadFailure.notANumber(refcnt, found: text).message)
            } catch {
                users = .missing(HostReadFailure(error).message)
            }
            return (KernelFact(value: .loadable, source: refcnt, note: "loaded module \(candidate.rawValue)"), users)
        }
        let directories = candidates.map(ConntrackKeys.moduleDirectory).joined(separator: ", ")
        if hasSysctls {
            return (.missing("conntrack sysctls exist but \(directories) does not: cannot tell module from built-in (is /sys captured?)"),
                    .missing("module state unknown"))
        }
        return (KernelFact(value: .notLoaded, note: "no conntrack sysctls and no \(directories)"), .missing("not loaded"))
    }

    /// Detects a non-initial network namespace from what the kernel hides or write-protects
    /// there: the init-only alias `net.nf_conntrack_max` is absent (modern kernels), max is
    /// read-only even for root (live host), or max and count are hidden while the timeouts
    /// show (pre-5.x kernels in a user namespace, SPEC fixture sysctl_06).
    static func namespaceFact(max: KernelFact<Double>, count: KernelFact<Double>, established: KernelFact<Double>,
                              context: EvaluationContext) -> KernelFact<Bool> {
        let fileSystem = context.host.fileSystem
        if max.value == nil, count.value == nil, let key = established.key {
            return KernelFact(value: true, source: established.source, key: key,
                              note: "\(key) exists but nf_conntrack_max and nf_conntrack_count are hidden: a network namespace owned by a user namespace")
        }
        guard let maxKey = max.key, let maxPath = max.source else {
            return .missing("conntrack max is unknown, so the namespace cannot be told")
        }
        if context.host.isLiveHost, geteuid() == 0, let info = try? fileSystem.info(maxPath), !info.isWritable {
            return KernelFact(value: true, source: maxPath, key: maxKey, note: "\(maxKey) is read-only even for root: not the initial network namespace")
        }
        guard maxKey == ConntrackKeys.max[0] || maxKey == ConntrackKeys.initialNamespaceOnlyMax else {
            return .missing("ip_conntrack kernels do not show which namespace this is")
        }
        let alias = ConntrackKeys.initialNamespaceOnlyMax
        let aliasPath = (try? SysctlKey(alias))?.path ?? ""
        if fileSystem.exists(aliasPath) {
            return KernelFact(value: false, source: aliasPath, key: alias, note: "\(alias) exists only in the initial network namespace")
        }
        return KernelFact(value: true, source: aliasPath, key: alias,
                          note: "\(alias) (initial-namespace only) is absent while \(maxKey) exists: max, buckets and hashsize are read-only here")
    }
}
