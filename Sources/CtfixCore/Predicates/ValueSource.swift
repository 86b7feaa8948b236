/// Where a `value` or `ratio` predicate gets its number: one key of the predicate's mapping
/// (`sysctl:`, `file:`, `meminfo:`, `slabinfo:`). Each kind is one type in its own
/// `ValueSource*.swift` file; this protocol is what they share.
public protocol ValueSourceKind: Sendable {
    /// The key that introduces the source (`sysctl`).
    static var keyword: String { get }
    /// Keys that qualify this source in the same mapping (`field` for `file`).
    static var companionKeys: [String] { get }
    /// Parses the value under the keyword; `reader` gives access to companion keys.
    static func parse(_ node: YAMLNode, reader: MappingReader, scope: inout ParseScope) -> Self?

    /// The source as written, for summary lines (`net.netfilter.nf_conntrack_count`).
    var summaryLine: String { get }
    /// A compact name for a value this source read, for details (`nf_conntrack_count`).
    func shortName(for reading: Reading) -> String
    /// Reads the value now. Never throws: a missing or malformed source is a failure that
    /// names the place.
    func read(in context: EvaluationContext) -> Result<Reading, HostReadFailure>
}

extension ValueSourceKind {
    public static var companionKeys: [String] { [] }
    public func shortName(for reading: Reading) -> String { reading.name }
}

/// A parsed value source: one of the kinds, chosen by the key present in the mapping.
public struct ValueSource: Sendable {
    public let kind: any ValueSourceKind

    public init(_ kind: any ValueSourceKind) { self.kind = kind }

    /// Every source kind, by keyword.
    public static let kinds: [any ValueSourceKind.Type] = [
        SysctlValueSource.self, FileValueSource.self, MeminfoValueSource.self, SlabinfoValueSource.self,
    ]

    public static var keywords: [String] { kinds.map { $0.keyword } }

    /// Finds the one source key in `reader`'s mapping and parses it. `otherKeys` are the keys
    /// the caller itself reads (comparisons), so a misspelt source key can be told apart from
    /// a predicate with no source at all.
    public static func parse(from reader: MappingReader, what: String, otherKeys: [String],
                             scope: inout ParseScope) -> ValueSource? {
        let present = reader.keys.filter { keywords.contains($0) }
        // Accepted even when absent, so a misspelt source key gets a did-you-mean.
        for key in keywords { reader.accept(key) }
        let presentKinds = kinds.filter { present.contains($0.keyword) }
        // Companion keys of absent kinds: `field:` without `file:`.
        for kind in kinds where !present.contains(kind.keyword) {
            for companion in kind.companionKeys where reader.keys.contains(companion) {
                reader.accept(companion)
                if let key = reader.keyNode(companion) {
                    scope.error(key, "'\(companion)' only applies to '\(kind.keyword):' sources")
                }
            }
        }
        guard let first = presentKinds.first, let firstNode = reader.optional(first.keyword) else {
            let known = Set(keywords + otherKeys + kinds.flatMap { $0.companionKeys })
            let misspelt = reader.keys.contains { key in !known.contains(key) && keywords.contains { editDistance(key, $0) <= 2 } }
            if !misspelt {
                scope.error(reader.node, "\(what) needs a source: one of \(keywords.map { "'\($0):'" }.joined(separator: ", "))")
            }
            return nil
        }
        if present.count > 1, let second = reader.keyNode(present[1]) {
            scope.error(second, "\(what) reads one source; found both '\(present[0])' and '\(present[1])'")
            return nil
        }
        return first.parse(firstNode, reader: reader, scope: &scope).map { ValueSource($0) }
    }

    /// Parses a source written as its own mapping (`numerator: {sysctl: …}`), reporting any
    /// other key as unknown.
    public static func parse(_ node: YAMLNode, what: String, scope: inout ParseScope) -> ValueSource? {
        guard let reader = MappingReader(node, what, scope: &scope) else { return nil }
        let source = parse(from: reader, what: what, otherKeys: [], scope: &scope)
        reader.finish(scope: &scope)
        return source
    }

    public var summaryLine: String { kind.summaryLine }

    public func read(in context: EvaluationContext) -> Result<Reading, HostReadFailure> {
        kind.read(in: context)
    }

    public func shortName(for reading: Reading) -> String { kind.shortName(for: reading) }
}
