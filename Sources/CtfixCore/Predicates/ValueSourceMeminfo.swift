/// `meminfo: FIELD`: a `/proc/meminfo` field, in bytes for `kB` fields. `MemAvailable` on a
/// kernel older than 3.14 is estimated (and the reading says so) rather than unknown, because
/// "Can't alloc conntrack" hosts are often exactly those old kernels.
public struct MeminfoValueSource: ValueSourceKind {
    public static let keyword = "meminfo"

    public let field: String

    public init(field: String) { self.field = field }

    public static func parse(_ node: YAMLNode, reader: MappingReader, scope: inout ParseScope) -> MeminfoValueSource? {
        guard let field = scope.nonEmptyString(node, "'meminfo'") else { return nil }
        let allowed = field.unicodeScalars.allSatisfy { scalar in
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", "_", "(", ")": true
            default: false
            }
        }
        guard allowed else {
            scope.error(node, "'meminfo' must be a field name such as MemAvailable; found '\(field)'")
            return nil
        }
        // The set of fields differs by kernel, so an unfamiliar name is allowed; a near miss of
        // a field every kernel has is a typo that would make the predicate unknown forever.
        if !Meminfo.wellKnownFields.contains(field) {
            let close = Meminfo.wellKnownFields.filter { editDistance($0.lowercased(), field.lowercased()) <= 2 }
            if let best = close.min(by: { editDistance($0, field) < editDistance($1, field) }) {
                scope.error(node, "unknown meminfo field '\(field)' (did you mean '\(best)'?)")
                return nil
            }
        }
        return MeminfoValueSource(field: field)
    }

    public var summaryLine: String { "meminfo \(field)" }

    public func read(in context: EvaluationContext) -> Result<Reading, HostReadFailure> {
        do {
            return Meminfo(parsing: try context.cachedText(Meminfo.path)).reading(field)
        } catch {
            return .failure(HostReadFailure(error))
        }
    }
}
