/// `ctfix list`: the playbooks found by name, where, with their summaries; a local playbook that
/// shadows a shipped one says so.
public struct ListCommand: Sendable {
    public var locator: PlaybookLocator
    public var json: Bool

    public init(locator: PlaybookLocator, json: Bool = false) {
        self.locator = locator
        self.json = json
    }

    struct Report: Codable {
        var directories: [PlaybookLocator.Directory]
        var playbooks: [PlaybookLocator.Entry]
    }

    public func run(_ ctx: CtfixContext) -> ExitStatus {
        let entries = locator.list()
        if json {
            ctx.output.line(JSONOutput.encode(Report(directories: locator.directories, playbooks: entries)))
            return .ok
        }
        ctx.output.line("searched: " + locator.directories.map { "\($0.path) (\($0.origin))" }.joined(separator: ", "))
        if entries.isEmpty { ctx.output.line("no playbooks found") }
        for entry in entries {
            ctx.output.line("\(entry.name)  [\(entry.origin)] \(entry.path)")
            if let summary = entry.summary { ctx.output.line("    \(summary)") }
            if let error = entry.error { ctx.output.line("    invalid: \(error)") }
            for shadowed in entry.shadows { ctx.output.line("    shadows \(shadowed)") }
        }
        return .ok
    }
}
