/// One fact about the host, as `ctfix status` and the executor need it: the value and where it
/// came from, or why it is missing. Nothing about a host is guaranteed (a key of another era,
/// a namespace that hides it, a root-only file), so every field says which case it is.
public struct KernelFact<Value: Sendable & Equatable & Encodable>: Sendable, Equatable, Encodable {
    public var value: Value?
    /// The host path read (`/proc/sys/net/netfilter/nf_conntrack_max`).
    public var source: String?
    /// The sysctl key that won among alternatives, when it was a sysctl.
    public var key: String?
    /// What was estimated or assumed, or which alternative was used.
    public var note: String?
    /// True when the value is a stand-in (the 320-byte entry size when slabinfo is unreadable).
    public var assumed: Bool
    /// Why there is no value.
    public var missingReason: String?

    public init(value: Value?, source: String? = nil, key: String? = nil, note: String? = nil,
                assumed: Bool = false, missingReason: String? = nil) {
        self.value = value
        self.source = source
        self.key = key
        self.note = note
        self.assumed = assumed
        self.missingReason = missingReason
    }

    /// A missing fact and the reason.
    public static func missing(_ reason: String) -> KernelFact { KernelFact(value: nil, missingReason: reason) }

    enum CodingKeys: String, CodingKey {
        case value, source, key, note, assumed
        case missingReason = "missing_reason"
    }

    /// Every key always present (null when empty), so JSON consumers see a stable shape.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(value, forKey: .value)
        try container.encode(source, forKey: .source)
        try container.encode(key, forKey: .key)
        try container.encode(note, forKey: .note)
        try container.encode(assumed, forKey: .assumed)
        try container.encode(missingReason, forKey: .missingReason)
    }
}

extension KernelFact where Value == Double {
    /// A fact from a reading (sysctl, meminfo, slabinfo).
    public init(_ reading: Reading, key: String? = nil) {
        self.init(value: reading.value, source: reading.source, key: key, note: reading.note)
    }

    /// A fact from a read attempt.
    public init(_ result: Result<Reading, HostReadFailure>, isSysctl: Bool = false) {
        switch result {
        case .success(let reading): self.init(reading, key: isSysctl ? reading.name : nil)
        case .failure(let failure): self = .missing(failure.message)
        }
    }
}
