/// Frees reclaimable memory by writing `/proc/sys/vm/drop_caches` — a remedy for
/// `nf_conntrack_alloc: Can't alloc conntrack`, where the slab allocation fails under memory
/// pressure. Disruptive: every process re-reads what it had cached, so disks get busy.
public struct DropCachesAction: ActionKind {
    public static let keyword = "drop_caches"
    public static let summary = "Free the page cache and/or dentries and inodes (/proc/sys/vm/drop_caches) so kernel allocations can succeed again."
    public static let minimumRisk = RiskClass.disruptive

    /// The file the executor writes `level` to.
    public static let procPath = "/proc/sys/vm/drop_caches"

    /// What the kernel frees for each level.
    public static let levelMeanings = [1: "page cache", 2: "dentries and inodes", 3: "page cache, dentries and inodes"]

    /// 1 page cache, 2 dentries and inodes, 3 both.
    public var level: Int

    public init(level: Int) { self.level = level }

    public static func parse(_ node: YAMLNode, scope: inout ParseScope) -> DropCachesAction? {
        guard let reader = MappingReader(node, "'drop_caches'", scope: &scope) else { return nil }
        let level = reader.required("level", scope: &scope).flatMap { levelNode -> Int? in
            guard case .scalar(let text, false) = levelNode.value, let value = Int(text), (1...3).contains(value) else {
                scope.error(levelNode, "drop_caches level must be 1 (page cache), 2 (dentries and inodes) or 3 (both), found \(levelNode.kindDescription)")
                return nil
            }
            return value
        }
        reader.finish(scope: &scope)
        return level.map { DropCachesAction(level: $0) }
    }

    public var summaryLine: String {
        "drop \(Self.levelMeanings[level] ?? "caches") (write \(level) to \(Self.procPath))"
    }

    public static let examples = KindExamples(
        valid: [
            """
            name: drop-page-cache
            explain: Free clean page cache so atomic allocations find memory.
            risk: disruptive
            drop_caches:
              level: 1
            """,
            """
            name: drop-slab-caches
            explain: Free dentries and inodes.
            risk: disruptive
            drop_caches: {level: 2}
            """,
            """
            name: drop-everything
            explain: Free all reclaimable caches.
            risk: destructive
            allow_unattended: true
            drop_caches:
              level: 3
            """,
        ],
        invalid: [
            .init("""
                name: too-deep
                explain: x
                risk: disruptive
                drop_caches:
                  level: 4
                """, at: 5, 10, "drop_caches level must be 1 (page cache), 2 (dentries and inodes) or 3 (both)"),
            .init("""
                name: words
                explain: x
                risk: disruptive
                drop_caches:
                  level: all
                """, at: 5, 10, "found 'all'"),
            .init("""
                name: no-level
                explain: x
                risk: disruptive
                drop_caches: {}
                """, at: 4, 14, "'drop_caches' is missing required key 'level'"),
            .init("""
                name: understated
                explain: x
                risk: safe
                drop_caches:
                  level: 1
                """, at: 3, 7, "a drop_caches action is at least 'disruptive'; declared 'safe'"),
            .init("""
                name: extra
                explain: x
                risk: disruptive
                drop_caches:
                  level: 1
                  sync: true
                """, at: 6, 3, "unknown key 'sync' in 'drop_caches'"),
        ]
    )
}
