import Foundation

/// `log:` — the kernel log shows a message (a regular expression on what the kernel printed)
/// at least `min_count` times within a window, counting the repeats the kernel's rate limiter
/// suppressed. The first signal of every incident in the seeds is such a line.
///
/// ```yaml
/// log:
///   pattern: 'nf_conntrack: (nf_conntrack: )?table full'
///   within: 15m          # optional; absent = the whole log
///   min_count: 1         # optional, default 1
///   sources: [default]   # optional: default | journald | kmsg | /absolute/host/path
///   facilities: [kern, user]  # optional, default [kern]: also count user messages in /dev/kmsg
/// ```
public struct LogPredicate: PredicateKind {
    public static let keyword = "log"
    public static let summary = "The kernel log has lines matching a regular expression (rate-limited repeats included) at least min_count times within a window."

    /// Longer windows would make "is it happening now?" checks read months of logs.
    public static let maximumWindow: Duration = .seconds(31 * 86_400)

    public var pattern: CompiledPattern
    /// `within:` as written: a duration or a duration parameter (`${window}`); nil = whole log.
    public var window: DurationValue?
    /// The written window, nil for the whole log or a parameter (see `within(_:)`).
    public var within: Duration? {
        if case .constant(let value) = window { value } else { nil }
    }
    public var minimumCount: Int
    public var sources: [KernelLogSource]
    /// Syslog facilities counted: the kernel's only, unless the playbook opts more in.
    public var facilities: Set<Int>

    public init(pattern: CompiledPattern, within: Duration? = nil, minimumCount: Int = 1,
                sources: [KernelLogSource] = [.automatic], facilities: Set<Int> = LogFacilities.kernelOnly) {
        self.init(pattern: pattern, window: within.map { .constant($0) }, minimumCount: minimumCount, sources: sources, facilities: facilities)
    }

    public init(pattern: CompiledPattern, window: DurationValue?, minimumCount: Int = 1,
                sources: [KernelLogSource] = [.automatic], facilities: Set<Int> = LogFacilities.kernelOnly) {
        self.pattern = pattern
        self.window = window
        self.minimumCount = minimumCount
        self.sources = sources
        self.facilities = facilities
    }

    public static let examples = KindExamples(
        valid: [
            "log:\n  pattern: 'nf_conntrack: (nf_conntrack: )?table full'\n  within: 15m\n",
            "log:\n  pattern: 'ip_conntrack: table full'\n  within: 1h\n  min_count: 100\n  sources: [/var/log/messages]\n",
            "log:\n  pattern: \"nf_conntrack_alloc: Can't alloc conntrack\"\n  sources: [journald, kmsg]\n",
            "log:\n  pattern: 'table full(, dropping packet| in netns [0-9]+)'\n  within: 2h30m\n  sources: default\n",
            "log:\n  pattern: 'nf_conntrack: .*table full'\n  within: 31d\n  min_count: 1_000\n",
            "log:\n  pattern: 'table full'\n  within: 15m\n  sources: [kmsg]\n  facilities: [kern, user]\n",
            "log:\n  pattern: 'table full'\n  within: ${window}\n",
        ],
        invalid: [
            .init("log:\n  within: 15m\n", at: 2, 3, "missing required key 'pattern'"),
            .init("log:\n  pattern: 'table (full'\n", at: 2, 12, "not a valid regular expression"),
            .init("log:\n  pattern: '(a+)+$'\n", at: 2, 12, "is refused: nested unbounded quantifier"),
            .init("log:\n  pattern: 'table full'\n  within: 0s\n", at: 3, 11, "longer than zero"),
            .init("log:\n  pattern: 'table full'\n  within: 32d\n", at: 3, 11, "at most 31d"),
            .init("log:\n  pattern: 'table full'\n  min_count: 0\n", at: 3, 14, "at least 1"),
            .init("log:\n  pattern: 'table full'\n  min_count: 2.5\n", at: 3, 14, "whole number"),
            .init("log:\n  pattern: 'table full'\n  sources: [jounrald]\n", at: 3, 13, "did you mean 'journald'"),
            .init("log:\n  pattern: 'table full'\n  sources: [var/log/messages]\n", at: 3, 13, "must be an absolute path"),
            .init("log:\n  pattern: 'table full'\n  sources: [/var/log/../../etc/shadow]\n", at: 3, 13, "must not contain '..'"),
            .init("log:\n  pattern: 'table full'\n  withn: 15m\n", at: 3, 3, "unknown key 'withn' in 'log' (did you mean 'within'?)"),
            .init("log:\n  pattern: 'table full'\n  facilities: [kern, usr]\n", at: 3, 22, "unknown facility 'usr' (did you mean 'user'?)"),
            .init("log:\n  pattern: 'table full'\n  facilities: [user]\n", at: 3, 15, "facilities must include kern"),
            .init("log:\n  pattern: 'table full'\n  within: ${widow}\n", at: 3, 11, "undeclared parameter 'widow' (did you mean 'window'?)"),
        ],
        parameters: ["window"]
    )

    public static func parse(_ node: YAMLNode, scope: inout ParseScope) -> LogPredicate? {
        let errorsBefore = scope.diagnostics.filter { $0.severity == .error }.count
        guard let reader = MappingReader(node, "'log'", scope: &scope) else { return nil }
        let pattern = reader.required("pattern", scope: &scope).flatMap { scope.regex($0, "pattern") }
        var window: DurationValue?
        if let windowNode = reader.optional("within") {
            if case .scalar(let text, _) = windowNode.value, let value = DurationText.parse(text), value > maximumWindow {
                scope.error(windowNode, "within must be at most 31d, found \(text)")
            } else {
                window = scope.durationValue(windowNode, "within", within: .milliseconds(1)...maximumWindow)
            }
        }
        var minimumCount = 1
        if let countNode = reader.optional("min_count"), let value = scope.integer(countNode, "min_count") {
            if value < 1 { scope.error(countNode, "min_count must be at least 1, found \(value)") }
            minimumCount = value
        }
        let sources = reader.optional("sources").map { parseSources($0, scope: &scope) } ?? [.automatic]
        let facilities = reader.optional("facilities").map { parseFacilities($0, scope: &scope) } ?? LogFacilities.kernelOnly
        reader.finish(scope: &scope)
        guard let pattern, scope.diagnostics.filter({ $0.severity == .error }).count == errorsBefore else { return nil }
        return LogPredicate(pattern: pattern, window: window, minimumCount: minimumCount, sources: sources, facilities: facilities)
    }

    /// `facilities: [kern, user]`: names from the syslog table; `kern` must be among them
    /// (kernel lines always count; the list says what counts besides).
    static func parseFacilities(_ node: YAMLNode, scope: inout ParseScope) -> Set<Int> {
        guard let items = scope.list(node, "facilities") else { return LogFacilities.kernelOnly }
        var facilities: Set<Int> = []
        for item in items {
            guard let name = scope.nonEmptyString(item, "each entry of facilities") else { continue }
            guard let number = LogFacilities.names[name] else {
                scope.error(item, "unknown facility '\(name)'" + suggestion(name, LogFacilities.names.keys.sorted())
                            + "; expected kern, user, daemon, syslog, local0…local7 …")
                continue
            }
            facilities.insert(number)
        }
        if !facilities.contains(0) {
            scope.error(node, "facilities must include kern (kernel lines always count; list what counts besides)")
        }
        return facilities
    }

    /// `sources: default` or a list; each entry reported where it is written.
    static func parseSources(_ node: YAMLNode, scope: inout ParseScope) -> [KernelLogSource] {
        let items: [YAMLNode]
        switch node.value {
        case .scalar: items = [node]
        case .sequence(let list): items = list
        case .mapping:
            scope.error(node, "sources must be a source or a list of sources, found a mapping")
            return []
        }
        if items.isEmpty { scope.error(node, "sources must list at least one source (or be left out for 'default')") }
        var sources: [KernelLogSource] = []
        for item in items {
            guard let text = scope.nonEmptyString(item, "each entry of sources") else { continue }
            switch KernelLogSource.parse(text) {
            case .success(let source):
                if sources.contains(source) {
                    scope.error(item, "log source '\(text)' is listed twice (it would be counted twice)")
                } else {
                    sources.append(source)
                }
            case .failure(let problem):
                scope.error(item, problem.message)
            }
        }
        if sources.contains(.automatic), sources.count > 1 {
            scope.warning(node, "'default' already reads one of journald, /dev/kmsg, kern.log, messages or syslog; listing more sources may count the same message twice")
        }
        return sources
    }

    public var summaryLine: String {
        var line = "kernel log matches /\(pattern.source)/ ≥ \(minimumCount)×"
        line += window.map { " within \($0)" } ?? " in the whole log"
        if sources != [.automatic] { line += " in " + sources.map(\.description).joined(separator: ", ") }
        if facilities != LogFacilities.kernelOnly {
            line += " (facilities " + facilities.sorted().map(LogFacilities.name(of:)).joined(separator: ", ") + ")"
        }
        return line
    }

    /// The window with parameters filled in (nil = whole log, or a parameter out of range).
    public func within(_ parameters: [String: Double]) -> Duration? {
        guard let window else { return nil }
        return try? window.resolve(parameters, key: "within", within: .milliseconds(1)...Self.maximumWindow).get()
    }

    public func evaluate(in context: EvaluationContext) async -> PredicateResult {
        var scanner = KernelLogScanner()
        scanner.facilities = facilities
        var within: Duration?
        if let window {
            switch window.resolve(context.parameters, key: "within", within: .milliseconds(1)...Self.maximumWindow) {
            case .success(let value): within = value
            case .failure(let failure): return .unknown(kind: Self.keyword, predicate: summaryLine, failure.message)
            }
        }
        let scan = await scanner.scan(pattern: pattern, within: within, sources: sources, in: context)
        let readings = scan.readSources.map {
            Reading(name: "log bytes read", source: $0.files.isEmpty ? $0.name : $0.files.joined(separator: " + "),
                    value: Double($0.bytesRead), unit: "bytes")
        }
        guard scan.isAvailable else {
            return .unknown(kind: Self.keyword, predicate: summaryLine, scan.unavailableReason)
        }
        if scan.count < minimumCount, scan.undecidedLines > 0 {
            // Lines the pattern could not decide might have matched: not a "no".
            return .unknown(kind: Self.keyword, predicate: summaryLine, "cannot tell: " + detail(of: scan))
        }
        var text = detail(of: scan)
        let named = NamespaceMention.ids(in: scan.matches.map(\.text))
        if !named.isEmpty { text += "; " + NamespaceMention.describe(named, among: context.netNamespaces) }
        var result = PredicateResult(state: scan.count >= minimumCount ? .holds : .doesNotHold, kind: Self.keyword,
                                     predicate: summaryLine, detail: text, readings: readings,
                                     matches: scan.matches, count: scan.count)
        result.namespaces = named.isEmpty ? nil : named
        return result
    }

    /// One sentence: "2 lines + 98 suppressed = 100 within 15m in /var/log/messages (min_count 1)".
    func detail(of scan: KernelLogScanResult) -> String {
        let lines = scan.matchedLines
        let lineWord = lines == 1 ? "line" : "lines"
        var text = scan.suppressedOccurrences > 0
            ? "\(lines) \(lineWord) + \(scan.suppressedOccurrences) suppressed = \(scan.count)"
            : "\(lines) matching \(lineWord)"
        if let within {
            text += " within \(DurationText.format(within))"
        } else if let window = scan.window {
            text += " since \(ISO8601Time.seconds(window.start))"
        } else {
            text += " in the whole log"
        }
        let names = scan.readSources.map { source -> String in
            let others = source.files.filter { $0 != source.name }
            return others.isEmpty ? source.name : "\(source.name) (and \(others.joined(separator: ", ")))"
        }
        text += " in \(names.joined(separator: ", ")) (min_count \(minimumCount))"
        if !scan.windowApplied, scan.window != nil { text += "; no timestamps: window not applied" }
        let unread = scan.sources.filter { !$0.wasRead && !$0.isDefaultFallback }
        if !unread.isEmpty {
            text += "; not read: " + unread.map { "\($0.name) (\($0.problem ?? ""))" }.joined(separator: ", ")
        }
        let notes = scan.readSources.flatMap(\.notes)
        if !notes.isEmpty { text += "; " + notes.joined(separator: "; ") }
        return text
    }
}
