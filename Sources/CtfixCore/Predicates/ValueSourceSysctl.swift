/// `sysctl: KEY` or `sysctl: [KEY, ALT…]`: a `/proc/sys` value. Alternatives cover kernel
/// eras (`net.netfilter.nf_conntrack_max`, then 2.6's `net.ipv4.netfilter.ip_conntrack_max`);
/// the first key that exists on the host wins and the reading is named after it.
public struct SysctlValueSource: ValueSourceKind {
    public static let keyword = "sysctl"

    /// The alternatives, in order of preference.
    public let keys: [SysctlKey]

    public init(keys: [SysctlKey]) { self.keys = keys }

    /// Alternatives from trusted text (ctfix's own key lists); invalid keys are dropped.
    public init(knownKeys: [String]) {
        self.keys = knownKeys.compactMap { try? SysctlKey($0) }
    }

    public static func parse(_ node: YAMLNode, reader: MappingReader, scope: inout ParseScope) -> SysctlValueSource? {
        SysctlKey.parseAlternatives(node, what: "'sysctl'", scope: &scope).map(SysctlValueSource.init(keys:))
    }

    public var summaryLine: String { keys.first?.text ?? "sysctl" }

    public func shortName(for reading: Reading) -> String {
        (try? SysctlKey(reading.name))?.shortName ?? reading.name
    }

    public func read(in context: EvaluationContext) -> Result<Reading, HostReadFailure> {
        var absent: [SysctlKey] = []
        for key in keys {
            let text: String
            do {
                text = try context.cachedText(key.path)
            } catch {
                if error.reason == .notFound { absent.append(key); continue }
                return .failure(HostReadFailure(error))
            }
            guard let value = HostNumber.parse(text) else {
                let several = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).count > 1
                var failure = HostReadFailure.notANumber(key.path, found: text, what: "a single number")
                if several { failure.message += " (this key holds several values: use 'file: \(key.path)' with 'field: N')" }
                return .failure(failure)
            }
            let note = absent.isEmpty ? nil
                : "\(absent.map(\.text).joined(separator: ", ")) absent on this host; read \(key.text)"
            return .success(Reading(name: key.text, source: key.path, value: value, unit: key.unit, note: note))
        }
        return .failure(Self.noneExists(keys))
    }

    static func noneExists(_ keys: [SysctlKey]) -> HostReadFailure {
        let list = keys.map { "\($0.text) (\($0.path))" }.joined(separator: ", ")
        var message = keys.count == 1 ? "sysctl \(list) does not exist on this host"
            : "none of the sysctl keys exists on this host: \(list)"
        if keys.contains(where: { $0.text.containsLiteral("conntrack") }) {
            message += "; is conntrack loaded (no firewall rule uses it yet?), or does this network namespace hide it?"
        }
        return HostReadFailure(path: keys.first?.path, message: message, isAbsent: true)
    }
}
