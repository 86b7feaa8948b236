import ArgumentParser
import CtfixCore
import Foundation

/// The `ctfix` command line: argument parsing only. Every command builds a `CtfixContext`
/// and hands it to the core (`CtfixCore`), which does the work. The entry points are the
/// `ctfix` and `ctfix-serve` executables (`JSONAwareMain.run`); see `ServeLauncher`.
struct Ctfix: AsyncParsableCommand {
    /// The configuration; while `parsingWithoutCompletionRequest` is set it also names a
    /// "super-command", the one thing that makes ArgumentParser skip its check for
    /// `--generate-completion-script`. That check parses every command line twice more, as the
    /// two pseudo-commands that carry the flag (reflection and first-time conformance lookups:
    /// about a tenth of a dry-run's CPU, docs/benchmarks.md). It is skipped only for command lines
    /// that do not hold the flag, and the name is gone again before any help or usage text is
    /// written (the only other readers of it), so no output changes.
    static var configuration: CommandConfiguration {
        var configuration = baseConfiguration
        if parsingWithoutCompletionRequest { configuration._superCommandName = "ctfix" }
        return configuration
    }

    /// Set by `JSONAwareMain` around `parseAsRoot` for command lines without
    /// `--generate-completion-script`; read on the parsing thread only.
    nonisolated(unsafe) static var parsingWithoutCompletionRequest = false

    static let baseConfiguration = CommandConfiguration(
        commandName: "ctfix",
        abstract: "Remediation playbooks for Linux hosts: netfilter conntrack first.",
        discussion: """
        Playbooks detect a problem (kernel-log patterns, procfs thresholds) and hold the actions \
        that fix it. See docs/playbook-format.md.
        """,
        version: CtfixVersion.current,
        subcommands: [Run.self, Check.self, Validate.self, Status.self, List.self, Audit.self, Rollback.self, Watch.self, Snapshot.self, Serve.self, Version.self]
    )

}

/// Options every host-reading command has.
struct HostOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Resolve /proc, /sys, /etc, /var/log… under DIR (an example host or a snapshot).", valueName: "DIR"), completion: .directory)
    var root: String?

    @Option(name: .long, help: ArgumentHelp("Evaluate time windows as of TIME (ISO 8601 or @EPOCH).", valueName: "TIME"))
    var now: String?

    @Flag(name: .long, help: "Print JSON instead of text.")
    var json = false

    @OptionGroup var color: ColorOption

    /// The plain values (`HostSettings`), which build the context.
    var settings: HostSettings { HostSettings(root: root, now: now, json: json, color: color.color) }

    /// `printsJSON`: whether standard output carries JSON and stays exact (nil: `--json`; serve
    /// prints no JSON whatever the flag says, so it passes false).
    func context(printsJSON: Bool? = nil) throws -> CtfixContext {
        try settings.context(printsJSON: printsJSON)
    }
}

extension ExitStatus {
    var exitCode: ExitCode { ExitCode(rawValue) }
}
