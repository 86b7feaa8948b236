/// A detection predicate tree: `all` / `any` / `not` over leaf kinds. Three-valued: a leaf that
/// cannot be evaluated is `unknown`, and unknown propagates unless the answer is already
/// decided (`any` with one true child holds even if another is unknown).
public indirect enum Predicate: Sendable {
    case all([Predicate])
    case any([Predicate])
    case not(Predicate)
    case leaf(any PredicateKind)

    /// The leaf kinds a playbook may use, by keyword.
    public static let kinds: [any PredicateKind.Type] = [
        LogPredicate.self, ValuePredicate.self, RatioPredicate.self, CounterPredicate.self, FileMatchPredicate.self,
    ]

    static let combinators = ["all", "any", "not"]

    /// Parses a predicate: a mapping with exactly one key, a combinator or a kind's keyword.
    /// `depth` counts the `all` / `any` / `not` around this node; beyond
    /// `ParseLimits.maximumPredicateDepth` the tree is refused (parsing and evaluation recurse).
    public static func parse(_ node: YAMLNode, scope: inout ParseScope, what: String = "a predicate", depth: Int = 0) -> Predicate? {
        guard depth <= ParseLimits.maximumPredicateDepth else {
            scope.error(node, "predicates nest deeper than \(ParseLimits.maximumPredicateDepth) levels of all / any / not")
            return nil
        }
        guard case .mapping(let pairs) = node.value else {
            scope.error(node, "\(what) must be a mapping with one of: \(allKeywords.joined(separator: ", ")); found \(node.kindDescription)")
            return nil
        }
        guard pairs.count == 1, let pair = pairs.first, let key = pair.key.scalar else {
            if pairs.isEmpty {
                scope.error(node, "\(what) is empty; expected one of: \(allKeywords.joined(separator: ", "))")
            } else {
                let keys = pairs.compactMap { $0.key.scalar }.joined(separator: ", ")
                scope.error(pairs[1].key, "\(what) has exactly one key (\(allKeywords.joined(separator: ", "))); found \(keys) — wrap several in 'all:' or 'any:'")
            }
            return nil
        }
        switch key {
        case "all", "any":
            guard let items = scope.list(pair.value, "'\(key)'") else { return nil }
            guard !items.isEmpty else {
                scope.error(pair.value, "'\(key)' needs at least one predicate")
                return nil
            }
            let children = items.map { parse($0, scope: &scope, depth: depth + 1) }
            let parsed = children.compactMap { $0 }
            guard parsed.count == children.count else { return nil }
            return key == "all" ? .all(parsed) : .any(parsed)
        case "not":
            return parse(pair.value, scope: &scope, what: "'not'", depth: depth + 1).map { .not($0) }
        default:
            guard let kind = kinds.first(where: { $0.keyword == key }) else {
                scope.error(pair.key, "unknown predicate '\(key)'" + suggestion(key, allKeywords)
                            + "; expected one of: \(allKeywords.joined(separator: ", "))")
                return nil
            }
            return kind.parse(pair.value, scope: &scope).map { .leaf($0) }
        }
    }

    static var allKeywords: [String] { combinators + kinds.map { $0.keyword } }

    /// A one-line description of the tree.
    public var summaryLine: String {
        switch self {
        case .all(let items): "all of (" + items.map(\.summaryLine).joined(separator: "; ") + ")"
        case .any(let items): "any of (" + items.map(\.summaryLine).joined(separator: "; ") + ")"
        case .not(let inner): "not (" + inner.summaryLine + ")"
        case .leaf(let kind): kind.summaryLine
        }
    }

    /// Evaluates every branch (no short-circuit: the evidence should show everything that was
    /// looked at, and reads are cheap).
    public func evaluate(in context: EvaluationContext) async -> PredicateResult {
        switch self {
        case .leaf(let kind):
            return await kind.evaluate(in: context)
        case .not(let inner):
            let child = await inner.evaluate(in: context)
            let state: PredicateResult.State = switch child.state {
            case .holds: .doesNotHold
            case .doesNotHold: .holds
            case .unknown: .unknown
            }
            return PredicateResult(state: state, kind: "not", predicate: "not (" + child.predicate + ")",
                                   detail: "negation of: \(child.detail)", children: [child])
        case .all(let items), .any(let items):
            var children: [PredicateResult] = []
            for item in items { children.append(await item.evaluate(in: context)) }
            let isAll: Bool = if case .all = self { true } else { false }
            let states = children.map(\.state)
            let state: PredicateResult.State
            if isAll {
                state = states.contains(.doesNotHold) ? .doesNotHold : states.contains(.unknown) ? .unknown : .holds
            } else {
                state = states.contains(.holds) ? .holds : states.contains(.unknown) ? .unknown : .doesNotHold
            }
            let held = states.filter { $0 == .holds }.count
            let predicate = (isAll ? "all of (" : "any of (") + children.map(\.predicate).joined(separator: "; ") + ")"
            return PredicateResult(state: state, kind: isAll ? "all" : "any", predicate: predicate,
                                   detail: "\(held) of \(children.count) held", children: children)
        }
    }
}
