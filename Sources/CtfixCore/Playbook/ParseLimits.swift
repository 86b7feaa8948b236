/// Every bound ctfix puts on what it parses from playbooks, serve routing configs, `--set`
/// values and templates, in one place. Input beyond any of them is refused with an error
/// naming the place (`file:line:col`) before it can cost unbounded time, memory or stack:
/// no parser recurses without one of these depths, and no arithmetic can trap. Stated in
/// docs/playbook-format.md ("Limits") and docs/serve.md; webhook bodies have their own
/// (`PayloadLimits`). The values are far above anything a real playbook needs (the shipped
/// ones stay below a tenth of each) and far below what could exhaust a thread's stack.
public enum ParseLimits {
    /// Bytes of a playbook or routing config file.
    public static let maximumFileBytes = 1 << 20
    /// Nesting of YAML mappings and sequences (the top-level mapping is depth 1). Checked on
    /// the raw bytes before the YAML reader sees them, because the reader recurses per level.
    public static let maximumYAMLDepth = 64
    /// Nodes of the whole document, counting every alias expansion ("billion laughs").
    public static let maximumNodes = 100_000
    /// Alias uses (`*name`) in one document. With 32, the largest tree Yams can be made to hash
    /// for a duplicate-key check is about 2^16 nodes (a doubling chain of 15 levels).
    public static let maximumAliases = 32
    /// Keys of one mapping, or items of one sequence (a 10 000-item list of sysctl key
    /// alternatives cost 15 s of duplicate checking in a debug build before this was 1000).
    public static let maximumCollectionCount = 1_000
    /// UTF-8 bytes of one scalar (a key or a value).
    public static let maximumScalarBytes = 65_536
    /// UTF-8 bytes of one-line text: a playbook's `summary`, an action's `explain`.
    public static let maximumLineBytes = 1_024
    /// Actions of one playbook, and parameters it declares.
    public static let maximumActions = 100
    public static let maximumParameters = 100
    /// Nesting of `all` / `any` / `not` predicates.
    public static let maximumPredicateDepth = 32

    /// Characters of one number expression (`max(current * 2, 65536)`).
    public static let maximumExpressionLength = 1_000
    /// Nesting of parentheses, function calls and unary minus signs in one expression.
    public static let maximumExpressionDepth = 32
    /// The magnitude of any number a playbook writes or an expression computes (2^53: every
    /// whole number up to it is exact in a Double). NaN and infinities are never numbers.
    public static let maximumMagnitude: Double = 9_007_199_254_740_992

    /// Characters of one duration (`1h30m`).
    public static let maximumDurationLength = 64
    /// The longest duration (10 years), whatever field it is written in.
    public static let maximumDuration: Duration = .seconds(3650 * 86_400)
    /// `3650d`, for messages.
    public static var maximumDurationText: String { DurationText.format(maximumDuration) }

    /// UTF-8 bytes of a string template (a unit name, an argv entry, a path, a route's `set:`).
    public static let maximumTemplateBytes = 4_096
    /// `${name}` or `{{ .Labels.NAME }}` substitutions in one template.
    public static let maximumSubstitutions = 32
    /// UTF-8 bytes of a rendered template, and of a string parameter's value (so a rendered
    /// playbook template is at most `maximumTemplateBytes * (maximumSubstitutions + 1)`).
    public static let maximumValueBytes = 4_096
    /// `--set` arguments on one command line.
    public static let maximumSettings = 64
}
