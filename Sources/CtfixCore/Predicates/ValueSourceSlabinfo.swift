/// `slabinfo: {cache: NAME | [NAME, ALT…], column: COLUMN}`: a `/proc/slabinfo` column, such
/// as the conntrack object size or how many entries the kernel really holds. Per-namespace
/// caches (`nf_conntrack_ffff…`, 3.x kernels) are summed for counts; `nf_conntrack_expect` is
/// never taken for `nf_conntrack`. `/proc/slabinfo` is root-only: as another user the reading
/// is unknown, saying so.
public struct SlabinfoValueSource: ValueSourceKind {
    public static let keyword = "slabinfo"

    /// Cache name alternatives (`nf_conntrack`, then 2.6's `ip_conntrack`).
    public let caches: [String]
    public let column: Slabinfo.Column

    public init(caches: [String], column: Slabinfo.Column) {
        self.caches = caches
        self.column = column
    }

    public static func parse(_ node: YAMLNode, reader: MappingReader, scope: inout ParseScope) -> SlabinfoValueSource? {
        guard let inner = MappingReader(node, "'slabinfo'", scope: &scope) else { return nil }
        defer { inner.finish(scope: &scope) }
        var caches: [String]?
        if let cacheNode = inner.required("cache", scope: &scope),
           let names = scope.stringList(cacheNode, "'cache'") {
            let items: [YAMLNode] = if case .sequence(let list) = cacheNode.value { list } else { [cacheNode] }
            var ok = true
            for (name, item) in zip(names, items) where !Self.isCacheName(name) {
                scope.error(item, "'\(name)' is not a slab cache name (letters, digits, '_', '-', '.', ':')")
                ok = false
            }
            if ok { caches = names }
        }
        var column: Slabinfo.Column?
        if let columnNode = inner.required("column", scope: &scope), let text = scope.nonEmptyString(columnNode, "'column'") {
            column = Slabinfo.Column(rawValue: text)
            if column == nil {
                let names = Slabinfo.Column.allCases.map(\.rawValue)
                scope.error(columnNode, "unknown slabinfo column '\(text)'" + suggestion(text, names)
                            + "; expected one of: \(names.joined(separator: ", "))")
            }
        }
        guard let caches, let column else { return nil }
        return SlabinfoValueSource(caches: caches, column: column)
    }

    static func isCacheName(_ name: String) -> Bool {
        !name.isEmpty && name.unicodeScalars.allSatisfy { scalar in
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", "_", "-", ".", ":": true
            default: false
            }
        }
    }

    public var summaryLine: String { "slabinfo \(caches.first ?? "?") \(column.rawValue)" }

    public func read(in context: EvaluationContext) -> Result<Reading, HostReadFailure> {
        do {
            return Slabinfo(parsing: try context.cachedText(Slabinfo.path)).reading(cache: caches, column: column)
        } catch {
            return .failure(HostReadFailure(error))
        }
    }
}
