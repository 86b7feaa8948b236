import ArgumentParser
import CtfixCore
import Foundation

/// Suggestions for a mistyped command line, from the commands and options ArgumentParser knows.
enum UsageSuggestions {
    /// "error: unknown command 'chek'. Did you mean 'check'?" for a word where a subcommand
    /// must be, or nil when the words name commands.
    static func unknownCommand(in arguments: [String]) -> String? {
        var command: ParsableCommand.Type = Ctfix.self
        var path = ["ctfix"]
        for word in arguments {
            let subcommands = command.configuration.subcommands
            guard !subcommands.isEmpty, !word.hasPrefix("-"), word != "help" else { return nil }
            guard let next = subcommands.first(where: { $0._commandName == word || $0.configuration.aliases.contains(word) }) else {
                let names = subcommands.map { $0._commandName }
                let guess = Suggestion.closest(to: word, among: names)
                let scope = path.count == 1 ? "" : " for '\(path.joined(separator: " "))'"
                return "error: unknown command '\(TerminalText.escape(word))'\(scope). "
                    + (guess.map { "Did you mean '\($0)'?" } ?? "Commands: \(names.joined(separator: ", ")).")
                    + "\nSee '\(path.joined(separator: " ")) --help'."
            }
            command = next
            path.append(word)
        }
        return nil
    }

    /// "error: unknown option '--dryrun' for 'ctfix run'. Did you mean '--dry-run'?" when
    /// ArgumentParser refused an option, or nil for every other error.
    static func unknownOption(_ error: any Error, in arguments: [String]) -> String? {
        let message = Ctfix.message(for: error)
        guard let start = message.range(of: "Unknown option '") else { return nil }
        let rest = message[start.upperBound...]
        guard let end = rest.firstIndex(of: "'") else { return nil }
        let option = String(rest[..<end])
        var command: ParsableCommand.Type = Ctfix.self
        var path = ["ctfix"]
        for word in arguments where !word.hasPrefix("-") {
            guard let next = command.configuration.subcommands.first(where: { $0._commandName == word }) else { break }
            command = next
            path.append(word)
        }
        let help = Ctfix.helpMessage(for: command, includeHidden: false, columns: 200)
        let known = Set(help.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "-") })
            .map(String.init).filter { $0.hasPrefix("--") && $0.count > 2 })
        let typed = String(option.split(separator: "=", maxSplits: 1).first ?? "")
        guard let guess = Suggestion.closest(to: typed, among: known.sorted()) else { return nil }
        return "error: unknown option '\(TerminalText.escape(option))' for '\(path.joined(separator: " "))'. Did you mean '\(guess)'?"
            + "\nSee '\(path.joined(separator: " ")) --help'."
    }

    /// Prints `message` on standard error and exits with the usage status (64); under `--json`
    /// also the error object on standard output, and for `check` the Nagios UNKNOWN line (exit 3).
    static func fail(_ message: String, json: Bool = false, isCheck: Bool = false, command: String? = nil) -> Never {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        let reason = message.split(separator: "\n").first.map(String.init) ?? message
        let stripped = reason.hasPrefix("error: ") ? String(reason.dropFirst(7)) : reason
        if isCheck {
            print(json ? JSONErrorReport(status: .unknown, messages: [stripped], command: "check").text
                       : "CTFIX UNKNOWN - \(stripped)")
            Foundation.exit(ExitStatus.unknown.rawValue)
        }
        if json { print(JSONErrorReport(status: .usage, messages: [stripped], command: command).text) }
        Foundation.exit(ExitStatus.usage.rawValue)
    }
}
