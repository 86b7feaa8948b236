import Foundation

/// `ctfix run PLAYBOOK`: detect, plan, confirm, apply, verify, audit. See `Executor`.
public struct RunCommand: Sendable {
    /// The playbook as typed: a path, or a name when `locator` is set.
    public var path: String
    public var options: RunOptions
    /// Where bare names are looked up (`PlaybookLocator.standard`); nil: `path` is a path.
    public var locator: PlaybookLocator?
    /// Who may have written the playbook; refused (exit 65) when untrusted. Nil: the rules
    /// for this process, from the context's environment (`SUDO_UID`), so the environment is
    /// taken once per invocation rather than rebuilt from `environ` here.
    public var trust: PlaybookTrust?

    public init(path: String, options: RunOptions, locator: PlaybookLocator? = nil, trust: PlaybookTrust? = nil) {
        self.path = path
        self.options = options
        self.locator = locator
        self.trust = trust
    }

    public func run(_ ctx: CtfixContext) async -> ExitStatus {
        let playbook: Playbook
        do {
            playbook = try PlaybookLoader.load(path, locator: locator, trust: trust ?? .process(environment: ctx.environment)) {
                ctx.output.errorLine($0)
            }
        } catch {
            for diagnostic in error.diagnostics { ctx.output.errorLine(diagnostic.description) }
            return error.isPlaybookNotFound ? .noInput : .invalidInput
        }
        let parameters: [String: ParameterValue]
        do {
            parameters = try playbook.resolveParameters(options.settings)
        } catch {
            ctx.output.errorLine("ctfix run: --set: \(error)")
            return .invalidInput
        }
        let report = await Executor(ctx: ctx, playbook: playbook, parameters: parameters, options: options).run()
        if options.json {
            ctx.output.line(JSONOutput.encode(report))
        } else {
            for message in report.messages { ctx.output.line(message) }
            ctx.showLine(RunRecap.text(report))
        }
        return report.outcome.exitStatus(detailed: options.detailedExitCodes)
    }
}
