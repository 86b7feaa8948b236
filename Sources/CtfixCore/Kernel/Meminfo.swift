import Foundation

/// `/proc/meminfo`, parsed: each `Field:   1234 kB` line as bytes, unit-less lines
/// (`HugePages_Total:  0`) as plain counts.
///
/// `MemAvailable` only exists since Linux 3.14; on older kernels (CentOS 5/6, the era of
/// `ip_conntrack: table full`) `available` estimates it and says so, because the memory budget
/// for raising `nf_conntrack_max` must still be computable there.
public struct Meminfo: Sendable, Equatable {
    public static let path = "/proc/meminfo"

    /// One field's value.
    public struct Field: Sendable, Equatable {
        public var value: Double
        /// `bytes` for `kB` lines (converted), empty for counts.
        public var unit: String
    }

    public private(set) var fields: [String: Field] = [:]
    /// Field names in file order.
    public private(set) var names: [String] = []

    /// Fields every kernel since 2.6 prints; a name close to one of these but not equal is
    /// almost surely a typo in a playbook.
    public static let wellKnownFields: [String] = [
        "MemTotal", "MemFree", "MemAvailable", "Buffers", "Cached", "SwapCached", "Active", "Inactive",
        "SwapTotal", "SwapFree", "Dirty", "Writeback", "AnonPages", "Mapped", "Shmem", "Slab",
        "SReclaimable", "SUnreclaim", "KReclaimable", "KernelStack", "PageTables", "CommitLimit",
        "Committed_AS", "VmallocTotal", "VmallocUsed", "HugePages_Total", "HugePages_Free", "Hugepagesize",
    ]

    /// Parses the text; lines that are not `Name: number [kB]` are skipped (meminfo has no
    /// other kind of line, and a stray line must not hide the good ones). A name with a space
    /// byte anywhere is not a field name, even where the space carries a combining mark.
    public init(parsing text: String) {
        for line in text.split(whereSeparator: \.isNewline) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmed(.whitespaces)
            guard !name.isEmpty, !name.containsASCII(" ") else { continue }
            let tokens = line[line.index(after: colon)...].split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard let first = tokens.first, let number = HostNumber.parse(first) else { continue }
            let isKilobytes = tokens.count > 1 && tokens[1].lowercased() == "kb"
            if fields[name] == nil { names.append(name) }
            fields[name] = Field(value: isKilobytes ? number * 1024 : number, unit: isKilobytes ? "bytes" : "")
        }
    }

    /// A field's value (bytes for `kB` fields), or nil when this kernel does not print it.
    public subscript(name: String) -> Double? { fields[name]?.value }

    /// A field as a `Reading`. `MemAvailable` falls back to `availableEstimate`.
    public func reading(_ name: String) -> Result<Reading, HostReadFailure> {
        if let field = fields[name] {
            return .success(Reading(name: name, source: Self.path, value: field.value, unit: field.unit))
        }
        if name == "MemAvailable", let estimate = availableEstimate {
            return .success(estimate)
        }
        if fields.isEmpty {
            return .failure(HostReadFailure(path: Self.path, message: "\(Self.path): no 'Name: value' lines; not a meminfo file"))
        }
        return .failure(HostReadFailure(path: Self.path, message: "\(Self.path) has no '\(name)' line" + suggestion(name, names),
                                        isAbsent: true))
    }

    /// `MemAvailable` when the kernel prints it, otherwise MemFree + Buffers + Cached — the
    /// "free + buffers/cache" figure of `free(1)` before 3.14. Reclaimable slab is left out on
    /// purpose: it is an over-estimate already, and the budget guard should err low.
    public var availableEstimate: Reading? {
        if let value = self["MemAvailable"] {
            return Reading(name: "MemAvailable", source: Self.path, value: value, unit: "bytes")
        }
        guard let free = self["MemFree"], let buffers = self["Buffers"], let cached = self["Cached"] else { return nil }
        return Reading(name: "MemAvailable", source: Self.path, value: free + buffers + cached, unit: "bytes",
                       note: "estimated as MemFree + Buffers + Cached: this kernel predates MemAvailable (Linux 3.14)")
    }
}
