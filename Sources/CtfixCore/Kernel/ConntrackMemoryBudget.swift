/// How far `nf_conntrack_max` can be raised before a full table would eat more than a share
/// of the memory that is available now. Conntrack entries are unswappable kernel memory
/// allocated with GFP_ATOMIC: a max that memory cannot back turns "table full" into
/// "Can't alloc conntrack" (SPEC §2). The executor's memory budget guard uses `fits`.
///
/// The cost of one more entry is its slab object plus one hash bucket (8 bytes), as if the
/// hash table grows with max — what a playbook that raises max and hashsize together does,
/// and the 5.15+ default (buckets = max). Entries that exist today are already allocated and
/// not part of MemAvailable, so the budget covers the entries from `count` up to the new max.
public struct ConntrackMemoryBudget: Sendable, Equatable, Encodable {
    /// The share of MemAvailable the table may grow into (0.25 by default).
    public var share: Double
    public var memAvailable: Double
    public var entrySize: Double
    public var count: Double
    /// Bytes the table may grow by: share × MemAvailable.
    public var budgetBytes: Double { share * memAvailable }
    /// Bytes of one more entry: object + bucket.
    public var bytesPerEntry: Double { entrySize + ConntrackKeys.bytesPerBucket }
    /// The largest max whose full table stays within the budget.
    public var maxWithinBudget: Double { count + (budgetBytes / bytesPerEntry).rounded(.down) }

    public init(share: Double, memAvailable: Double, entrySize: Double, count: Double) {
        self.share = share
        self.memAvailable = memAvailable
        self.entrySize = entrySize
        self.count = count
    }

    /// Memory a full table at `max` needs beyond what the current entries use.
    public func additionalBytes(forMax max: Double) -> Double {
        Swift.max(0, max - count) * bytesPerEntry
    }

    /// Whether raising max to `max` stays within the budget.
    public func fits(max: Double) -> Bool { additionalBytes(forMax: max) <= budgetBytes }

    enum CodingKeys: String, CodingKey {
        case share, memAvailable = "mem_available_bytes", entrySize = "entry_size_bytes", count
        case budgetBytes = "budget_bytes", bytesPerEntry = "bytes_per_entry", maxWithinBudget = "max_within_budget"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(share, forKey: .share)
        try container.encode(memAvailable, forKey: .memAvailable)
        try container.encode(entrySize, forKey: .entrySize)
        try container.encode(count, forKey: .count)
        try container.encode(budgetBytes, forKey: .budgetBytes)
        try container.encode(bytesPerEntry, forKey: .bytesPerEntry)
        try container.encode(maxWithinBudget, forKey: .maxWithinBudget)
    }
}
