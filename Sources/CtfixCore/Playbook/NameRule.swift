/// The shape of a name in a playbook or on the command line (`^[a-z0-9][a-z0-9._-]{0,62}$`):
/// a first character from one ASCII set, the rest from another, a length range — checked on
/// the bytes.
///
/// Why not `range(of:options: .regularExpression)`: that compiles an ICU regular expression
/// through Foundation on first use, which loaded ICU into every dry-run for a one-line check
/// (a tenth of its start-up CPU and megabytes of resident memory; docs/benchmarks.md). It also
/// let a trailing newline through: ICU's `$` matches before a final line terminator, so
/// `"name\n"` passed `^[a-z]+$`. A rule here matches the whole text, nothing else.
public struct NameRule: Sendable {
    /// A set of ASCII bytes, written as in a bracket expression without brackets: `a-z0-9._-`
    /// (a `-` first or last is itself, `\\` a backslash).
    public struct ASCIISet: Sendable {
        var low: UInt64 = 0, high: UInt64 = 0

        public init(_ spec: String) {
            let bytes = Array(spec.utf8)
            var index = 0
            while index < bytes.count {
                var byte = bytes[index]
                if byte == UInt8(ascii: "\\"), index + 1 < bytes.count { index += 1; byte = bytes[index] }
                if index + 2 < bytes.count, bytes[index + 1] == UInt8(ascii: "-") {
                    for member in byte...bytes[index + 2] { insert(member) }
                    index += 3
                } else {
                    insert(byte)
                    index += 1
                }
            }
        }

        mutating func insert(_ byte: UInt8) {
            precondition(byte < 128, "ASCII only")
            if byte < 64 { low |= 1 << UInt64(byte) } else { high |= 1 << UInt64(byte - 64) }
        }

        /// False for every byte above 127: a name rule never admits non-ASCII text.
        public func contains(_ byte: UInt8) -> Bool {
            if byte < 64 { return low & (1 << UInt64(byte)) != 0 }
            if byte < 128 { return high & (1 << UInt64(byte - 64)) != 0 }
            return false
        }
    }

    public let first: ASCIISet
    public let rest: ASCIISet
    /// Bytes, first character included.
    public let lengths: ClosedRange<Int>

    public init(first: String, rest: String, lengths: ClosedRange<Int>) {
        self.first = ASCIISet(first)
        self.rest = ASCIISet(rest)
        self.lengths = lengths
    }

    /// True when all of `text` has this shape.
    public func matches(_ text: some StringProtocol) -> Bool {
        matches(bytes: text.utf8)
    }

    /// True when all of `bytes` has this shape.
    public func matches(bytes: some Sequence<UInt8>) -> Bool {
        var count = 0
        for byte in bytes {
            guard count < lengths.upperBound, (count == 0 ? first : rest).contains(byte) else { return false }
            count += 1
        }
        return lengths.contains(count)
    }

    /// `^[a-z_][a-z0-9_]*$`: parameter names in `${name}` references and `--set`.
    public static let parameterReference = NameRule(first: "a-z_", rest: "a-z0-9_", lengths: 1...Int.max)
    /// `^[a-z_][a-z0-9_]{0,62}$`: a declared parameter's name.
    public static let parameterName = NameRule(first: "a-z_", rest: "a-z0-9_", lengths: 1...63)
    /// `^[a-z0-9][a-z0-9._-]{0,62}$`: a playbook's or an action's name.
    public static let playbookName = NameRule(first: "a-z0-9", rest: "a-z0-9._-", lengths: 1...63)
    /// `^[a-z0-9_]+$`: a kernel module as `modprobe` and `/sys/module` spell it.
    public static let kernelModule = NameRule(first: "a-z0-9_", rest: "a-z0-9_", lengths: 1...Int.max)
    /// `^[a-z0-9_]{1,32}$`: a `/proc/net/stat/nf_conntrack` column.
    public static let statColumn = NameRule(first: "a-z0-9_", rest: "a-z0-9_", lengths: 1...32)
    /// `^[A-Za-z0-9@._:\\-]+$`: a systemd unit name (the caller also refuses a leading `-`).
    public static let unitName = NameRule(first: "A-Za-z0-9@._:\\\\-", rest: "A-Za-z0-9@._:\\\\-", lengths: 1...Int.max)
    /// `^[A-Za-z0-9_][A-Za-z0-9._+-]*$`: a bare program name looked up in PATH.
    public static let programName = NameRule(first: "A-Za-z0-9_", rest: "A-Za-z0-9._+-", lengths: 1...Int.max)
    /// `^[A-Z_][A-Z0-9_]*$`: an environment variable a command action sets.
    public static let environmentName = NameRule(first: "A-Z_", rest: "A-Z0-9_", lengths: 1...Int.max)
    /// `^[A-Za-z0-9_./=:@%+,${}-]+$`: an argument a shell reads as one word without quotes.
    public static let shellWord = NameRule(first: "A-Za-z0-9_./=:@%+,${}-", rest: "A-Za-z0-9_./=:@%+,${}-", lengths: 1...Int.max)
    /// `^[A-Za-z0-9_.-]+$`: the file name of an `/etc/sysctl.d/NAME.conf` drop-in, before `.conf`.
    public static let dropInStem = NameRule(first: "A-Za-z0-9_.-", rest: "A-Za-z0-9_.-", lengths: 1...Int.max)

    /// True for `/etc/sysctl.conf` and `/etc/sysctl.d/NAME.conf` (the drop-ins `sysctl --system`
    /// reads), `NAME` from `dropInStem`.
    public static func isSysctlConfigPath(_ path: String) -> Bool {
        if path == "/etc/sysctl.conf" { return true }
        let prefix = "/etc/sysctl.d/", suffix = ".conf"
        guard path.hasPrefix(prefix), path.hasSuffix(suffix), path.utf8.count > prefix.utf8.count + suffix.utf8.count else { return false }
        let stem = path.utf8.dropFirst(prefix.utf8.count).dropLast(suffix.utf8.count)
        return dropInStem.matches(bytes: stem)
    }
}
