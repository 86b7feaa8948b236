import Foundation

/// `ctfix status`: the host's conntrack picture at a glance — count / max, buckets, entry size
/// and memory, the budget for raising max, timeouts, module and namespace — and the recent
/// kernel conntrack events. Exit status 0 when count and max could be read, 3 (UNKNOWN) when
/// conntrack is not present or unreadable.
public struct StatusCommand: Sendable {
    /// Supplies the "recent kernel conntrack events" section: the matching kernel-log lines, or
    /// nil when no log scan is available. The log engine is wired in here; until then the
    /// default returns nil and the section says "(log scan not wired yet)".
    public typealias RecentEvents = @Sendable (EvaluationContext) async -> [LogMatch]?

    public var json: Bool
    /// The share of MemAvailable the table may grow into, for the budget line.
    public var memoryShare: Double
    public var recentEvents: RecentEvents

    /// The placeholder hook: no log scan yet.
    public static let logScanNotWired: RecentEvents = { _ in nil }
    static let notWiredText = "(log scan not wired yet)"

    public init(json: Bool = false, memoryShare: Double = 0.25, recentEvents: @escaping RecentEvents = StatusCommand.logScanNotWired) {
        self.json = json
        self.memoryShare = memoryShare
        self.recentEvents = recentEvents
    }

    struct Report: Encodable {
        var root: String
        var time: Date
        var conntrack: ConntrackSnapshot
        var recentEvents: [LogMatch]?
        var recentEventsNote: String?

        enum CodingKeys: String, CodingKey {
            case root, time, conntrack
            case recentEvents = "recent_events"
            case recentEventsNote = "recent_events_note"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(root, forKey: .root)
            try container.encode(time, forKey: .time)
            try container.encode(conntrack, forKey: .conntrack)
            try container.encode(recentEvents, forKey: .recentEvents)
            try container.encode(recentEventsNote, forKey: .recentEventsNote)
        }
    }

    public func run(_ ctx: CtfixContext) async -> ExitStatus {
        let evaluation = EvaluationContext(host: ctx)
        let snapshot = ConntrackSnapshot.read(in: evaluation, memoryShare: memoryShare)
        let events = await recentEvents(evaluation)
        let status: ExitStatus = snapshot.hasBasics ? .ok : .unknown

        if json {
            let report = Report(root: ctx.fileSystem.rootDescription, time: evaluation.now, conntrack: snapshot,
                                recentEvents: events, recentEventsNote: events == nil ? "log scan not wired yet" : nil)
            ctx.output.line(JSONOutput.encode(report))
        } else {
            for line in snapshot.textLines { ctx.output.line(line) }
            ctx.output.line()
            ctx.output.line("recent kernel conntrack events")
            switch events {
            case nil: ctx.output.line("  " + Self.notWiredText)
            case let matches? where matches.isEmpty: ctx.output.line("  none found")
            case let matches?:
                for match in matches { ctx.output.line("  \(match.source)\(match.line.map { ":\($0)" } ?? ""): \(match.text)") }
            }
        }
        if !snapshot.hasBasics {
            let reason = snapshot.count.missingReason ?? snapshot.max.missingReason ?? "count and max unreadable"
            ctx.output.errorLine("ctfix status: conntrack is not present or unreadable under \(ctx.fileSystem.rootDescription): \(reason)")
        }
        return status
    }
}
