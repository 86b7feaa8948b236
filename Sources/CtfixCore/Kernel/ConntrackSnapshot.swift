/// The host's connection-tracking picture at one moment: how full the table is, how big it
/// may get, what each entry costs and how much memory there is to grow into. Read once with
/// `ConntrackSnapshot.read(in:)`; `ctfix status` prints it and the executor plans with it
/// (before → after values, the memory budget guard).
///
/// Every field is a `KernelFact`: a value with its source, or the reason it is missing.
public struct ConntrackSnapshot: Sendable, Encodable {
    /// One timeout sysctl other than the established one.
    public struct Timeout: Sendable, Equatable, Encodable {
        /// The suffix after `nf_conntrack_` (`tcp_timeout_time_wait`).
        public var name: String
        /// The key read.
        public var key: String
        public var seconds: Double
    }

    public var era: KernelFact<ConntrackEra>
    public var count: KernelFact<Double>
    public var max: KernelFact<Double>
    public var buckets: KernelFact<Double>
    /// `/sys/module/nf_conntrack/parameters/hashsize` (the same number as buckets when both exist).
    public var hashsize: KernelFact<Double>
    public var establishedTimeout: KernelFact<Double>
    /// The other timeouts this kernel has, in a fixed order.
    public var timeouts: [Timeout]
    /// Bytes per entry: the conntrack slab object size, or 320 assumed.
    public var entrySize: KernelFact<Double>
    public var memTotal: KernelFact<Double>
    /// MemAvailable, estimated on kernels before 3.14 (the note says so).
    public var memAvailable: KernelFact<Double>
    public var module: KernelFact<ConntrackModuleState>
    /// `refcnt` of a loadable module: how many users (modules, rules) hold it.
    public var moduleUsers: KernelFact<Double>
    /// True inside a network namespace other than the host's (max, buckets and hashsize are
    /// read-only there; timeouts are per namespace).
    public var nonInitialNamespace: KernelFact<Bool>
    /// The share of MemAvailable the table may grow into.
    public var memoryShare: Double

    /// True when count and max could be read: what `status` needs to say anything useful.
    public var hasBasics: Bool { count.value != nil && max.value != nil }

    /// count / max.
    public var usage: Double? {
        guard let count = count.value, let max = max.value, max > 0 else { return nil }
        return count / max
    }

    /// The hash table size: buckets, or hashsize when the buckets sysctl is missing.
    public var bucketCount: Double? { buckets.value ?? hashsize.value }

    /// Kernel memory the current entries and the hash table use: count × entry size + buckets × 8.
    public var entriesMemory: KernelFact<Double> {
        guard let count = count.value else { return .missing("the entry count is unknown") }
        guard let size = entrySize.value else { return .missing("the entry size is unknown") }
        let bucketBytes = (bucketCount ?? 0) * ConntrackKeys.bytesPerBucket
        var notes: [String] = []
        if entrySize.assumed { notes.append("entry size assumed") }
        if bucketCount == nil { notes.append("hash buckets unknown, not counted") }
        return KernelFact(value: count * size + bucketBytes, note: notes.isEmpty ? nil : notes.joined(separator: "; "),
                          assumed: entrySize.assumed)
    }

    /// The memory budget for raising max, when MemAvailable, the entry size and count are known.
    public var budget: ConntrackMemoryBudget? {
        guard let available = memAvailable.value, let size = entrySize.value, let count = count.value else { return nil }
        return ConntrackMemoryBudget(share: memoryShare, memAvailable: available, entrySize: size, count: count)
    }

    enum CodingKeys: String, CodingKey {
        case era, count, max, buckets, hashsize, timeouts, module
        case establishedTimeout = "tcp_timeout_established"
        case entrySize = "entry_size_bytes"
        case memTotal = "mem_total_bytes"
        case memAvailable = "mem_available_bytes"
        case moduleUsers = "module_users"
        case nonInitialNamespace = "non_initial_network_namespace"
        case usage = "usage_ratio"
        case entriesMemory = "entries_memory_bytes"
        case budget = "memory_budget"
        case hasBasics = "present"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(hasBasics, forKey: .hasBasics)
        try container.encode(era, forKey: .era)
        try container.encode(count, forKey: .count)
        try container.encode(max, forKey: .max)
        try container.encode(usage, forKey: .usage)
        try container.encode(buckets, forKey: .buckets)
        try container.encode(hashsize, forKey: .hashsize)
        try container.encode(establishedTimeout, forKey: .establishedTimeout)
        try container.encode(timeouts, forKey: .timeouts)
        try container.encode(entrySize, forKey: .entrySize)
        try container.encode(entriesMemory, forKey: .entriesMemory)
        try container.encode(memTotal, forKey: .memTotal)
        try container.encode(memAvailable, forKey: .memAvailable)
        try container.encode(budget, forKey: .budget)
        try container.encode(module, forKey: .module)
        try container.encode(moduleUsers, forKey: .moduleUsers)
        try container.encode(nonInitialNamespace, forKey: .nonInitialNamespace)
    }
}
