import ArgumentParser
import CtfixCore
import Foundation

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Receive Alertmanager webhooks and run the routed playbooks (automated response).",
        discussion: """
        See docs/serve.md for the routing config. Answers 200 only after an alert is audited and \
        durably queued under the root's /var/lib/ctfix/queue (503 otherwise: Alertmanager retries). \
        Stops gracefully on SIGTERM/SIGINT. Exit status: 0 stopped, 12 server failed, 14 refused \
        (no auth without --insecure-no-auth, audit log not writable), 64 bad --listen, \
        69 cannot listen on the address (port in use) or ctfix-serve is missing or untrusted, \
        65 invalid or untrusted config (as root, the config and each route's playbook must not be \
        writable by group or others nor owned by another user), 66 config or queue missing.
        """
    )

    @Option(name: .long, help: ArgumentHelp("The routing config (YAML).", valueName: "FILE"), completion: .file())
    var config: String

    @Option(name: .long, help: ArgumentHelp("Address to listen on.", valueName: "HOST:PORT"))
    var listen = "127.0.0.1:9095"

    @OptionGroup var host: HostOptions

    @Option(name: .long, help: ArgumentHelp("Write the audit log here instead of the host's /var/log/ctfix/audit.jsonl.", valueName: "PATH"), completion: .file())
    var auditLog: String?

    @Flag(name: .long, help: "Start without authentication when the config has no 'auth' (never on a shared network).")
    var insecureNoAuth = false

    func run() async throws {
        // The HTTP server lives in the ctfix-serve executable (ServeLauncher): `ctfix` hands
        // the same arguments over before it opens anything.
        guard let server = ServeLauncher.server else { throw ServeLauncher.execServer() }
        // serve prints no JSON: its lines are always guarded, whatever --json says.
        let ctx = try host.context(printsJSON: false)
        let request = ServeLauncher.Request(configPath: config, listen: listen, auditLogPath: auditLog, insecureNoAuth: insecureNoAuth)
        throw await server(request, ctx).exitCode
    }
}
