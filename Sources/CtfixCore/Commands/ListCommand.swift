/// `ctfix list`: the playbooks found by name, where, with their summaries; a local playbook that
/// shadows a shipped one says so.
public struct ListCommand: Sendable {
    public var locator: PlaybookLocator
    public var json: Bool
    /// A playbook `run` would refuse as untrusted is listed with the refusal and its fix.
    public var trust: PlaybookTrust

    public init(locator: PlaybookLocator, json: Bool = false, trust: PlaybookTrust = .process()) {
        self.locator = locator
        self.json = json
        self.trust = trust
    }

    struct Report: Codable {
        var directories: [PlaybookLocator.Directory]
        var playbooks: [PlaybookLocator.Entry]
    }

    public func run(_ ctx: CtfixContext) -> ExitStatus {
        let entries = locator.list(trust: trust)
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
            if let refused = entry.refused { ctx.output.line("    refused: \(refused)") }
            for shadowed in entry.shadows { ctx.output.line("    shadows \(shadowed)") }
        }
        return .ok
    }
}
