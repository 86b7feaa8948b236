/// Asks the kernel to defragment memory by writing `/proc/sys/vm/compact_memory`, so that
/// higher-order allocations (hash tables, slab pages for conntrack) can succeed when free memory
/// exists but is fragmented. It takes no settings.
public struct CompactMemoryAction: ActionKind {
    public static let keyword = "compact_memory"
    public static let summary = "Compact memory (/proc/sys/vm/compact_memory) so fragmented free memory can serve larger allocations again."
    public static let minimumRisk = RiskClass.safe

    /// The file the executor writes `1` to.
    public static let procPath = "/proc/sys/vm/compact_memory"

    public init() {}

    public static func parse(_ node: YAMLNode, scope: inout ParseScope) -> CompactMemoryAction? {
        guard case .mapping = node.value else {
            scope.error(node, "compact_memory takes no settings; write 'compact_memory: {}', found \(node.kindDescription)")
            return nil
        }
        guard let reader = MappingReader(node, "'compact_memory' (it takes no settings)", scope: &scope) else { return nil }
        reader.finish(scope: &scope)
        return reader.keys.isEmpty ? CompactMemoryAction() : nil
    }

    public var summaryLine: String { "compact memory (write 1 to \(Self.procPath))" }

    public static let examples = KindExamples(
        valid: [
            """
            name: compact
            explain: Defragment free memory so slab pages can be allocated.
            risk: safe
            compact_memory: {}
            """,
            """
            name: compact-when-fragmented
            explain: Only when fragmentation is the problem.
            risk: safe
            when:
              log:
                pattern: "nf_conntrack_alloc: Can't alloc conntrack"
            compact_memory: {}
            """,
            """
            name: compact-carefully
            explain: Compaction costs CPU time; say so.
            risk: disruptive
            compact_memory: {}
            """,
        ],
        invalid: [
            .init("""
                name: with-node
                explain: x
                risk: safe
                compact_memory:
                  node: 0
                """, at: 5, 3, "unknown key 'node' in 'compact_memory'"),
            .init("""
                name: bare
                explain: x
                risk: safe
                compact_memory:
                """, at: 4, 16, "write 'compact_memory: {}'"),
            .init("""
                name: truthy
                explain: x
                risk: safe
                compact_memory: true
                """, at: 4, 17, "compact_memory takes no settings"),
            .init("""
                name: listed
                explain: x
                risk: safe
                compact_memory: [1]
                """, at: 4, 17, "found a list"),
        ]
    )
}
