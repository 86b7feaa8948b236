/// One kind of detection predicate (`log`, `value`, `ratio`): how it is written, how it is
/// validated and how it is evaluated against a host. Each kind is one type in one file.
///
/// Like a SwiftLint rule, a kind carries its own documentation examples, and the test suite
/// runs them: every `valid` example must parse cleanly and every `invalid` one must fail with
/// the stated message at the stated place. The docs cannot drift from the parser.
public protocol PredicateKind: Sendable {
    /// The key that introduces this kind in a playbook (`log:`).
    static var keyword: String { get }
    /// What it detects, one sentence, for docs and `--help`.
    static var summary: String { get }
    /// Examples that are both documentation and tests.
    static var examples: KindExamples { get }

    /// Parses the value under the keyword, recording every problem in `scope`.
    static func parse(_ node: YAMLNode, scope: inout ParseScope) -> Self?

    /// A one-line human description ("kernel log matches /table full/ ≥ 1× within 15m").
    var summaryLine: String { get }

    /// Evaluates against the host, never throwing: failure to read is an `unknown` result
    /// with the reason, which `check` maps to UNKNOWN (3).
    func evaluate(in context: EvaluationContext) async -> PredicateResult
}

/// Documentation examples that double as tests (see `PredicateKind`).
public struct KindExamples: Sendable {
    /// A snippet that must be rejected, and where and why.
    public struct Invalid: Sendable {
        public var yaml: String
        public var line: Int
        public var column: Int
        /// A fragment the error message must contain.
        public var message: String
        public init(_ yaml: String, at line: Int, _ column: Int, _ message: String) {
            self.yaml = yaml
            self.line = line
            self.column = column
            self.message = message
        }
    }

    /// Snippets (the whole predicate or action mapping, keyword included) that must parse.
    public var valid: [String]
    public var invalid: [Invalid]
    /// Parameters the examples may reference with `${name}`.
    public var parameters: Set<String>

    public init(valid: [String], invalid: [Invalid] = [], parameters: Set<String> = []) {
        self.valid = valid
        self.invalid = invalid
        self.parameters = parameters
    }
}
