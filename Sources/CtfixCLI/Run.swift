import ArgumentParser
import CtfixCore
import Foundation

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a playbook: detect, show the plan, confirm, apply, verify, audit.",
        discussion: """
        Exit status: 0 every success (healthy, dry-run done, remediated: every action applied \
        and verification measured the problem gone; with --detailed-exitcodes a remediated run \
        exits 2 instead), 11 applied but not remediated, 12 failed, \
        13 declined, 14 refused by policy, 15 partial (an action was declined, skipped, refused \
        or simulated), 16 unverified (verification only re-read log lines), 17 interrupted \
        (SIGINT, SIGTERM, SIGHUP or Ctrl-C at a prompt), 64 usage, 65 invalid or untrusted playbook or bad --set, \
        66 playbook not found, 75 another run holds the host lock.

        Under --root DIR (any root but this machine's /), no program is started and nothing \
        reboots: such steps are shown and audited as "simulated: the root is not this machine".

        SIGINT, SIGTERM and SIGHUP let the step in progress finish, then the playbook's \
        on_failure policy is applied and the run ends "interrupted", its audit record listing \
        what the host now holds.
        """
    )

    @Argument(help: "The playbook: a name found by 'ctfix list' (table-full), or a path (anything with a '/' or ending in .yaml).", completion: .playbooks)
    var playbook: String

    @OptionGroup var host: HostOptions

    @Flag(name: .long, help: "Show the evidence and the plan; change nothing.")
    var dryRun = false

    @Flag(name: .long, help: "Do not prompt (automation). Destructive actions still need --allow-destructive and the playbook's consent.")
    var yes = false

    @Flag(name: .long, help: "Act even when detection does not fire.")
    var force = false

    @Flag(name: .long, help: "With --yes: allow destructive actions the playbook marks allow_unattended.")
    var allowDestructive = false

    @Option(name: .customLong("set"), help: ArgumentHelp("Set a playbook parameter.", valueName: "NAME=VALUE"))
    var settings: [String] = []

    @Option(name: .long, help: ArgumentHelp("Write the audit log here instead of the host's /var/log/ctfix/audit.jsonl.", valueName: "PATH"), completion: .file())
    var auditLog: String?

    @Option(name: .long, help: ArgumentHelp("Wait this many seconds for another run's host lock.", valueName: "SECONDS"))
    var wait: Int = 0

    @Flag(name: .long, help: "Do not wait for the playbook's verification delay.")
    var noVerifyDelay = false

    @Flag(name: .long, help: "Exit 2 when the run remediated (changed the host), 0 when there was nothing to do (as Terraform and Puppet do).")
    var detailedExitcodes = false

    func run() async throws { try await invocation.run() }

    /// What the command line said, as plain values.
    var invocation: Invocation {
        Invocation(playbook: playbook, host: host.settings, dryRun: dryRun, yes: yes, force: force,
                   allowDestructive: allowDestructive, settings: settings, auditLog: auditLog, wait: wait,
                   noVerifyDelay: noVerifyDelay, detailedExitcodes: detailedExitcodes)
    }

    /// `ctfix run`, whoever read its command line (ArgumentParser or `DirectCommandLine`).
    struct Invocation: DirectInvocation, Equatable {
        var playbook: String
        var host: HostSettings
        var dryRun = false
        var yes = false
        var force = false
        var allowDestructive = false
        var settings: [String] = []
        var auditLog: String?
        var wait = 0
        var noVerifyDelay = false
        var detailedExitcodes = false

        func run() async throws {
            let environment = ProcessInfo.processInfo.environment
            let ctx = try host.context(environment: environment)
            var options = RunOptions()
            options.dryRun = dryRun
            options.assumeYes = yes
            options.force = force
            options.allowDestructive = allowDestructive
            options.settings = try SettingsArgument.parse(settings)
            options.auditLogPath = auditLog
            options.lockWait = .seconds(max(0, wait))
            options.argv = CommandLine.arguments
            options.skipVerifyDelay = noVerifyDelay
            options.json = host.json
            options.detailedExitCodes = detailedExitcodes
            if !dryRun {
                // From here on a signal stops the run between two steps, never inside one.
                Interruption.catchTerminationSignals()
                options.interruption = .process
            }
            throw await RunCommand(path: playbook, options: options, locator: PlaybookLocator.standard(environment: environment)).run(ctx).exitCode
        }
    }

    /// The words `DirectCommandLine` reads for `run`: exactly the options declared above
    /// (`DirectCommandLineTests` compares them with ArgumentParser's).
    static let directSpec = DirectCommandLine.Spec(
        command: "run",
        flags: HostSettings.flags.union(["--dry-run", "--yes", "--force", "--allow-destructive",
                                         "--no-verify-delay", "--detailed-exitcodes"]),
        options: HostSettings.options.union(["--audit-log", "--wait"]),
        repeatable: ["--set"],
        operands: 1...1
    )

    /// `arguments` read without ArgumentParser, or nil (see `DirectCommandLine`).
    static func direct(_ arguments: [String]) -> Invocation? {
        guard let words = DirectCommandLine.words(arguments, spec: directSpec),
              let host = HostSettings(words),
              let wait = DirectCommandLine.integer(words, "--wait", default: 0) else { return nil }
        return Invocation(playbook: words.operands[0], host: host,
                          dryRun: words.flags.contains("--dry-run"), yes: words.flags.contains("--yes"),
                          force: words.flags.contains("--force"),
                          allowDestructive: words.flags.contains("--allow-destructive"),
                          settings: words.repeated["--set"] ?? [], auditLog: words.options["--audit-log"],
                          wait: wait, noVerifyDelay: words.flags.contains("--no-verify-delay"),
                          detailedExitcodes: words.flags.contains("--detailed-exitcodes"))
    }
}
