import Foundation

/// `ctfix run PLAYBOOK`: detect, plan, confirm, apply, verify, audit. See `Executor`.
public struct RunCommand: Sendable {
    public var path: String
    public var options: RunOptions

    public init(path: String, options: RunOptions) {
        self.path = path
        self.options = options
    }

    public func run(_ ctx: CtfixContext) async -> ExitStatus {
        let playbook: Playbook
        do {
            playbook = try PlaybookLoader.load(path: path)
        } catch {
            for diagnostic in error.diagnostics { ctx.output.errorLine(diagnostic.description) }
            let missing = error.diagnostics.count == 1 && error.diagnostics[0].message.hasPrefix("playbook no such file")
            return missing ? .noInput : .invalidInput
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
            ctx.output.line("outcome: \(report.outcome.rawValue) (run \(report.runID)" + (report.auditLog.map { ", audit log \($0)" } ?? "") + ")")
        }
        return report.outcome.exitStatus
    }
}
