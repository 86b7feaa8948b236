import Foundation

/// `/proc/slabinfo`, parsed in both layouts conntrack hosts still run:
///
/// - version 2.x: `name active_objs num_objs objsize objperslab pagesperslab : tunables … : slabdata active_slabs num_slabs sharedavail`
/// - version 1.x (2.4 and early 2.6 kernels): `name active_objs num_objs objsize active_slabs num_slabs pagesperslab : limit batchcount`
///
/// A file without the `slabinfo - version:` header (a `grep conntrack /proc/slabinfo` paste)
/// is recognised line by line: six fields before the first `:` is 2.x, seven is 1.x.
public struct Slabinfo: Sendable {
    public static let path = "/proc/slabinfo"

    /// The columns a playbook may compare, by their names in the 2.x header.
    public enum Column: String, Sendable, CaseIterable, Codable {
        case activeObjs = "active_objs"
        case numObjs = "num_objs"
        case objsize
        case objperslab
        case pagesperslab
        case activeSlabs = "active_slabs"
        case numSlabs = "num_slabs"

        /// Counts add up across per-namespace caches; sizes do not.
        var isCount: Bool { self == .activeObjs || self == .numObjs || self == .activeSlabs || self == .numSlabs }

        var unit: String {
            switch self {
            case .activeObjs, .numObjs, .objperslab: "objects"
            case .objsize: "bytes"
            case .pagesperslab: "pages"
            case .activeSlabs, .numSlabs: "slabs"
            }
        }
    }

    /// One cache line.
    public struct Cache: Sendable, Equatable {
        public var name: String
        /// 1-based line number in the file, for messages.
        public var line: Int
        public var values: [Column: Double]
        /// Columns this line's layout does not print but that were computed (1.x objperslab).
        public var derived: Set<Column>
    }

    /// The `slabinfo - version:` header's version, when present.
    public private(set) var version: String?
    public private(set) var caches: [Cache] = []
    /// Lines that looked like cache lines but could not be read, by cache name.
    public private(set) var malformed: [String: (line: Int, text: String)] = [:]

    public init(parsing text: String) {
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = rawLine.trimmed(.whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("slabinfo - version:") {
                version = line.dropFirst("slabinfo - version:".count).split(separator: " ").first.map(String.init)
                continue
            }
            guard let name = line.split(separator: " ", maxSplits: 1).first.map(String.init) else { continue }
            if let cache = Self.parseCache(line, name: name, lineNumber: lineNumber, version: version) {
                caches.append(cache)
            } else {
                malformed[name] = (lineNumber, line)
            }
        }
    }

    /// `section.contains("slabdata")` as Foundation answers it, without its Unicode search on a
    /// kernel's ASCII text: no literal match, no match (no other text is canonically "slabdata");
    /// a literal match in ASCII text is a match; anything else is asked of Foundation.
    static func mentionsSlabdata(_ section: Substring) -> Bool {
        guard section.containsLiteral("slabdata") else { return false }
        return section.utf8.allSatisfy { $0 < 0x80 } || section.contains("slabdata")
    }

    private static func parseCache(_ line: String, name: String, lineNumber: Int, version: String?) -> Cache? {
        let sections = line.split(separator: ":", omittingEmptySubsequences: false)
        let head = sections[0].split(whereSeparator: { $0 == " " || $0 == "\t" })
        let numbers = head.dropFirst().map { HostNumber.parse($0) }
        guard !numbers.contains(where: { $0 == nil }) else { return nil }
        let n = numbers.map { $0! }
        let layoutIsV1: Bool
        if let version { layoutIsV1 = version.hasPrefix("1.") } else { layoutIsV1 = n.count == 6 }
        var values: [Column: Double] = [:]
        var derived: Set<Column> = []
        if layoutIsV1 {
            // name active num objsize active_slabs num_slabs [pagesperslab]
            guard n.count == 5 || n.count == 6 else { return nil }
            values[.activeObjs] = n[0]; values[.numObjs] = n[1]; values[.objsize] = n[2]
            values[.activeSlabs] = n[3]; values[.numSlabs] = n[4]
            if n.count == 6 { values[.pagesperslab] = n[5] }
            if n[4] > 0 {
                values[.objperslab] = (n[1] / n[4]).rounded()
                derived.insert(.objperslab)
            }
        } else {
            // name active num objsize objperslab pagesperslab : tunables … : slabdata active num shared
            guard n.count == 5 else { return nil }
            values[.activeObjs] = n[0]; values[.numObjs] = n[1]; values[.objsize] = n[2]
            values[.objperslab] = n[3]; values[.pagesperslab] = n[4]
            if let slabdata = sections.dropFirst().first(where: { Self.mentionsSlabdata($0) }) {
                let fields = slabdata.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst()
                let counts = fields.compactMap { HostNumber.parse($0) }
                if counts.count >= 2 { values[.activeSlabs] = counts[0]; values[.numSlabs] = counts[1] }
            }
        }
        return Cache(name: name, line: lineNumber, values: values, derived: derived)
    }

    /// True when `cacheName` is `wanted` itself or a per-network-namespace copy of it
    /// (`nf_conntrack_ffff97cbde365200`, 3.x to ~4.6 kernels): the suffix must be a pointer in
    /// hex, so `nf_conntrack_expect` never counts as `nf_conntrack`.
    public static func cache(_ cacheName: String, isInstanceOf wanted: String) -> Bool {
        if cacheName == wanted { return true }
        guard cacheName.hasPrefix(wanted + "_") else { return false }
        let suffix = cacheName.dropFirst(wanted.count + 1)
        return (8...16).contains(suffix.count) && suffix.allSatisfy(\.isHexDigit)
    }

    /// The caches of the first name in `alternatives` that has any (exact or per-netns).
    public func caches(namedAnyOf alternatives: [String]) -> (name: String, caches: [Cache])? {
        for wanted in alternatives {
            let found = caches.filter { Self.cache($0.name, isInstanceOf: wanted) }
            if !found.isEmpty { return (wanted, found) }
        }
        return nil
    }

    /// One column of a cache, summed over per-netns copies for counts, the largest for sizes.
    public func reading(cache alternatives: [String], column: Column) -> Result<Reading, HostReadFailure> {
        guard let (name, found) = caches(namedAnyOf: alternatives) else {
            if let bad = alternatives.lazy.compactMap({ self.malformed[$0] }).first {
                return .failure(HostReadFailure(path: Self.path, message: "\(Self.path) line \(bad.line): cannot read the cache line \(HostNumber.excerpt(bad.text))"))
            }
            let names = alternatives.joined(separator: " or ")
            let what = caches.isEmpty ? "no cache lines (not a slabinfo file?)" : "no \(names) cache"
            return .failure(HostReadFailure(path: Self.path, message: "\(Self.path) has \(what)", isAbsent: !caches.isEmpty))
        }
        let values = found.compactMap { $0.values[column] }
        guard !values.isEmpty else {
            return .failure(HostReadFailure(path: Self.path, message: "\(Self.path) line \(found[0].line): the \(name) line has no \(column.rawValue) column in this slabinfo version"))
        }
        let value = column.isCount ? values.reduce(0, +) : values.max()!
        var notes: [String] = []
        if found.count > 1 || found[0].name != name {
            let how = column.isCount ? "summed over" : "largest of"
            notes.append("\(how) \(found.count) per-network-namespace cache\(found.count == 1 ? "" : "s") (\(found.map(\.name).joined(separator: ", ")))")
        }
        if found.contains(where: { $0.derived.contains(column) }) {
            notes.append("computed as num_objs / num_slabs: slabinfo \(version ?? "1.x") has no objperslab column")
        }
        return .success(Reading(name: "\(name) \(column.rawValue)", source: Self.path, value: value, unit: column.unit,
                                note: notes.isEmpty ? nil : notes.joined(separator: "; ")))
    }
}
