import ArgumentParser
import CtfixCore
import Foundation

/// The command line's entry point around ArgumentParser, for the promises `--json` and `check`
/// make even when a command fails before it has anything to report:
/// - with `--json`, an error that left standard output empty (a usage error, a missing
///   playbook, a parse error, `rollback nonexistent`) is one JSON object on standard output
///   (`JSONErrorReport`), with the same exit status;
/// - `check` always prints a Nagios line: a usage error is `CTFIX UNKNOWN - reason`, exit 3.
/// The text on standard error is unchanged; a mistyped command or option gets a suggestion.
public enum JSONAwareMain {
    public static func run(arguments: [String] = Array(CommandLine.arguments.dropFirst())) async -> Never {
        // Options after a bare "--" are operands, not --json.
        let options = arguments.prefix { $0 != "--" }
        let json = options.contains("--json")
        let command = options.first { !$0.hasPrefix("-") }
        let isCheck = command == "check"
        // `run` and `check` command lines made only of words `DirectCommandLine` knows skip
        // ArgumentParser's reflection; they hold no mistake to suggest a correction for.
        let direct = DirectCommandLine.invocation(arguments)
        // A mistyped subcommand or option gets "Did you mean …?" (`UsageSuggestions`).
        if direct == nil, let mistake = UsageSuggestions.unknownCommand(in: arguments) {
            UsageSuggestions.fail(mistake, json: json, isCheck: isCheck, command: command)
        }
        let status: Int32
        do {
            if let direct {
                try await direct.run()
            } else {
                Ctfix.parsingWithoutCompletionRequest = !arguments.contains { $0.hasPrefix("--generate-completion-script") }
                var parsed: any ParsableCommand
                do {
                    parsed = try Ctfix.parseAsRoot(arguments)
                    Ctfix.parsingWithoutCompletionRequest = false
                } catch {
                    Ctfix.parsingWithoutCompletionRequest = false
                    throw error
                }
                if var asyncCommand = parsed as? AsyncParsableCommand { try await asyncCommand.run() } else { try parsed.run() }
            }
            status = 0
        } catch let code as ExitCode {
            status = code.rawValue
        } catch {
            if let mistake = UsageSuggestions.unknownOption(error, in: arguments) {
                UsageSuggestions.fail(mistake, json: json, isCheck: isCheck, command: command)
            }
            let code = Ctfix.exitCode(for: error).rawValue
            // Help and --version are not errors.
            guard code != 0, json || isCheck else { Ctfix.exit(withError: error) }
            let message = Ctfix.message(for: error)
            FileHandle.standardError.write(Data((Ctfix.fullMessage(for: error) + "\n").utf8))
            if isCheck {
                // Nagios: a check that cannot run is UNKNOWN (3), whatever went wrong.
                print(json ? JSONErrorReport(status: .unknown, messages: [message], command: "check").text
                           : "CTFIX UNKNOWN - \(TerminalText.content(message))")
                Foundation.exit(ExitStatus.unknown.rawValue)
            }
            print(JSONErrorReport(status: ExitStatus(rawValue: code), messages: [message], command: command).text)
            Foundation.exit(code)
        }
        if status != 0, !ProcessOutput.wroteStandardOutput {
            if json {
                print(JSONErrorReport(status: ExitStatus(rawValue: status), messages: ProcessOutput.errorLines, command: command).text)
            } else if isCheck {
                // The last line is the reason; earlier ones are notes ("using FILE").
                let reason = ProcessOutput.errorLines.last { !$0.isEmpty } ?? "exit status \(status)"
                print("CTFIX UNKNOWN - \(TerminalText.content(reason))")
            }
        }
        Foundation.exit(status)
    }
}
