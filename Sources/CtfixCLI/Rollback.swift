import ArgumentParser
import CtfixCore

struct Rollback: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Undo what a finished run changed, from its audited before-values.",
        discussion: "Exit status: 0 restored (or nothing to undo, or already rolled back: said so; with --detailed-exitcodes 2 when something was restored), 12 failed, 13 declined, 14 refused, 66 no such run. A value the host already holds again is reported as already restored, not as a conflict. With --json: one object (run_id, rollback_run_id, outcome, steps, messages, exit_status)."
    )

    @Argument(help: "The run id (from the run's output or 'ctfix audit show').")
    var runID: String

    @OptionGroup var host: HostOptions

    @Option(name: .long, help: ArgumentHelp("The audit log (default: the host's /var/log/ctfix/audit.jsonl).", valueName: "PATH"), completion: .file())
    var auditLog: String?

    @Flag(name: .long, help: "Do not prompt.")
    var yes = false

    @Flag(name: .long, help: "Restore values that changed again since the run.")
    var force = false

    @Flag(name: .long, help: "Show what would be restored; change nothing.")
    var dryRun = false

    @Flag(name: .long, help: "Exit 2 when something was restored, 0 when there was nothing to do.")
    var detailedExitcodes = false

    func run() async throws {
        let ctx = try host.context()
        let command = RollbackCommand(runID: runID, auditLogPath: auditLog, assumeYes: yes, force: force, dryRun: dryRun,
                                      json: host.json, detailedExitCodes: detailedExitcodes)
        throw await command.run(ctx).exitCode
    }
}
