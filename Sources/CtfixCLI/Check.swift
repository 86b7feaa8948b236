import ArgumentParser
import CtfixCore
import Foundation

struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Run playbooks' detection only and show the evidence.",
        discussion: """
        Output and exit status follow the Nagios plugin convention, so this works as an \
        Icinga/Nagios/Sensu check: 0 OK, 2 CRITICAL (a playbook fires), 3 UNKNOWN (could not \
        evaluate, including an invalid, untrusted or unknown playbook).
        """
    )

    @Argument(help: "Playbooks: files, or names found by 'ctfix list'.", completion: .playbooks)
    var playbooks: [String]

    @OptionGroup var host: HostOptions

    @Option(name: .customLong("set"), help: ArgumentHelp("Set a playbook parameter.", valueName: "NAME=VALUE"))
    var settings: [String] = []

    @Option(name: .customLong("log"), help: ArgumentHelp("Check this log file instead of the host's kernel log sources (repeatable).", valueName: "FILE"), completion: .file())
    var logFiles: [String] = []

    func run() async throws { try await invocation.run() }

    /// What the command line said, as plain values.
    var invocation: Invocation {
        Invocation(playbooks: playbooks, host: host.settings, settings: settings, logFiles: logFiles)
    }

    /// `ctfix check`, whoever read its command line (ArgumentParser or `DirectCommandLine`).
    struct Invocation: DirectInvocation, Equatable {
        var playbooks: [String]
        var host: HostSettings
        var settings: [String] = []
        var logFiles: [String] = []

        func run() async throws {
            let environment = ProcessInfo.processInfo.environment
            let ctx: CtfixContext
            let parsedSettings: [String: String]
            do {
                ctx = try host.context(environment: environment)
                parsedSettings = try SettingsArgument.parse(settings)
            } catch {
                // A check must answer UNKNOWN, not a usage error, so monitoring shows it.
                let output = StandardOutputSink()
                output.errorLine("ctfix check: \(error)")
                output.line(host.json ? JSONErrorReport(status: .unknown, messages: ["\(error)"], command: "check").text
                                      : "CTFIX UNKNOWN - \(TerminalText.content("\(error)"))")
                throw ExitCode(ExitStatus.unknown.rawValue)
            }
            let command = CheckCommand(paths: playbooks, settings: parsedSettings, logFiles: logFiles.isEmpty ? nil : logFiles,
                                       json: host.json, locator: PlaybookLocator.standard(environment: environment))
            throw await command.run(ctx).exitCode
        }
    }

    /// The words `DirectCommandLine` reads for `check` (`DirectCommandLineTests` compares them
    /// with ArgumentParser's).
    static let directSpec = DirectCommandLine.Spec(
        command: "check", flags: HostSettings.flags, options: HostSettings.options,
        repeatable: ["--set", "--log"], operands: 1...Int.max
    )

    /// `arguments` read without ArgumentParser, or nil (see `DirectCommandLine`).
    static func direct(_ arguments: [String]) -> Invocation? {
        guard let words = DirectCommandLine.words(arguments, spec: directSpec),
              let host = HostSettings(words) else { return nil }
        return Invocation(playbooks: words.operands, host: host, settings: words.repeated["--set"] ?? [],
                          logFiles: words.repeated["--log"] ?? [])
    }
}

/// `--set NAME=VALUE` arguments. A malformed argument is a usage error (exit 64); a value that
/// does not fit its parameter is invalid input (65), judged by `Parameter.value(from:)` under
/// the same `ParseLimits` as a playbook's own values.
enum SettingsArgument {
    static func parse(_ items: [String]) throws -> [String: String] {
        guard items.count <= ParseLimits.maximumSettings else {
            throw ValidationError("--set given \(items.count) times, more than the limit of \(ParseLimits.maximumSettings)")
        }
        var result: [String: String] = [:]
        for item in items {
            guard let equals = item.firstIndex(of: "="), equals != item.startIndex else {
                throw ValidationError("--set expects NAME=VALUE, got '\(Parameter.shown(item))'")
            }
            let name = String(item[..<equals])
            guard name.utf8.count <= 64, NameRule.parameterReference.matches(name) else {
                throw ValidationError("--set: '\(Parameter.shown(name))' is not a parameter name (lowercase letters, digits and '_', at most 64)")
            }
            guard result[name] == nil else { throw ValidationError("--set \(name) given twice") }
            result[name] = String(item[item.index(after: equals)...])
        }
        return result
    }
}
