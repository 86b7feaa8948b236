import Foundation

/// `ctfix status`: the host's conntrack picture at a glance — count / max, buckets, entry size
/// and memory, the budget for raising max, timeouts, module and namespace — and the recent
/// kernel conntrack events. Exit status 0 when count and max could be read, 3 (UNKNOWN) when
/// conntrack is not present or unreadable.
public struct StatusCommand: Sendable {
    /// Supplies the "recent kernel conntrack events" section: the matching kernel-log lines, or
    /// nil when no kernel log source could be read. Tests pass their own.
    public typealias RecentEvents = @Sendable (EvaluationContext) async -> [LogMatch]?

    public var json: Bool
    /// The share of MemAvailable the table may grow into, for the budget line.
    public var memoryShare: Double
    public var recentEvents: RecentEvents

    /// Conntrack messages of the last 24 hours from the host's kernel log (the first available
    /// source, or `--log` files), the last ten of them.
    public static let kernelLogEvents: RecentEvents = { context in
        guard let pattern = try? CompiledPattern("(ip|nf)_conntrack|conntrack: ") else { return nil }
        let result = await KernelLogScanner(matchLimit: 10).scan(pattern: pattern, within: .seconds(86400), in: context)
        return result.isAvailable ? result.matches : nil
    }
    static let unavailableText = "(no kernel log source could be read)"

    public init(json: Bool = false, memoryShare: Double = 0.25, recentEvents: @escaping RecentEvents = StatusCommand.kernelLogEvents) {
        self.json = json
        self.memoryShare = memoryShare
        self.recentEvents = recentEvents
    }

    struct Report: Encodable {
        var root: String
        var time: Date
        var conntrack: ConntrackSnapshot
        var namespaces: [NamespaceConntrackUsage]
        var recentEvents: [LogMatch]?
        var recentEventsNote: String?
        var boot: ConntrackBootValues

        enum CodingKeys: String, CodingKey {
            case root, time, conntrack, namespaces, boot
            case recentEvents = "recent_events"
            case recentEventsNote = "recent_events_note"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(root, forKey: .root)
            try container.encode(time, forKey: .time)
            try container.encode(conntrack, forKey: .conntrack)
            try container.encode(namespaces, forKey: .namespaces)
            try container.encode(recentEvents, forKey: .recentEvents)
            try container.encode(recentEventsNote, forKey: .recentEventsNote)
            try container.encode(boot.entries, forKey: .boot)
        }
    }

    public func run(_ ctx: CtfixContext) async -> ExitStatus {
        let evaluation = EvaluationContext(host: ctx)
        let snapshot = ConntrackSnapshot.read(in: evaluation, memoryShare: memoryShare)
        let events = await recentEvents(evaluation)
        let namespaces = NamespaceConntrackUsage.read(in: ctx.fileSystem, max: snapshot.max.value)
        let status: ExitStatus = snapshot.hasBasics ? .ok : .unknown
        let boot = ConntrackBootValues.read(ctx.fileSystem)

        if json {
            let report = Report(root: ctx.fileSystem.rootDescription, time: evaluation.now, conntrack: snapshot, namespaces: namespaces,
                                recentEvents: events, recentEventsNote: events == nil ? "no kernel log source could be read" : nil, boot: boot)
            ctx.output.line(JSONOutput.encode(report))
        } else {
            for line in snapshot.textLines { ctx.output.line(line) }
            if !boot.textLines.isEmpty { ctx.output.line() }
            for line in boot.textLines { ctx.output.line(TerminalText.content(line)) }
            ctx.output.line()
            ctx.output.line("network namespaces (each has its own count; nf_conntrack_max is one limit for all)")
            for namespace in namespaces { ctx.output.line(namespace.textLine) }
            ctx.output.line()
            ctx.output.line("recent kernel conntrack events (24 h)")
            switch events {
            case nil: ctx.output.line("  " + Self.unavailableText)
            case let matches? where matches.isEmpty: ctx.output.line("  none found")
            case let matches?:
                for match in matches {
                    let suppressed = match.suppressed > 0 ? "  (+\(match.suppressed) suppressed)" : ""
                    ctx.output.line("  \(TerminalText.content(match.source))\(match.line.map { ":\($0)" } ?? ""): \(TerminalText.escape(match.text))\(suppressed)")
                }
            }
        }
        if !snapshot.hasBasics {
            let reason = snapshot.count.missingReason ?? snapshot.max.missingReason ?? "count and max unreadable"
            ctx.output.errorLine("ctfix status: conntrack is not present or unreadable under \(ctx.fileSystem.rootDescription): \(reason)")
        }
        return status
    }
}
