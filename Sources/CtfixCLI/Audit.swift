import ArgumentParser
import CtfixCore

struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Read the audit log and verify its hash chain.",
        subcommands: [Show.self, Verify.self]
    )

    struct Options: ParsableArguments {
        @Option(name: .long, help: ArgumentHelp("The audit log (default: the host's /var/log/ctfix/audit.jsonl).", valueName: "PATH"), completion: .file())
        var auditLog: String?
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Print audit records, one line each.")
        @OptionGroup var host: HostOptions
        @OptionGroup var options: Options
        @Option(name: .customLong("run"), help: ArgumentHelp("Only this run's records.", valueName: "ID"))
        var runID: String?

        func run() async throws {
            let ctx = try host.context()
            throw AuditCommand(action: .show(runID: runID), auditLogPath: options.auditLog, json: host.json).run(ctx).exitCode
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Check the hash chain; name the first bad line; report runs that never ended.",
            discussion: """
            Reads only. Exit status: 0 intact (also when only what a kill leaves remains: a torn \
            last line or a head file one record behind, listed as 'repairable' and repaired by the \
            next ctfix run), 12 broken, 66 unreadable. Runs that never ended are named with their \
            last record and what the host may hold.
            """
        )
        @OptionGroup var host: HostOptions
        @OptionGroup var options: Options

        func run() async throws {
            let ctx = try host.context()
            throw AuditCommand(action: .verify, auditLogPath: options.auditLog, json: host.json).run(ctx).exitCode
        }
    }
}
