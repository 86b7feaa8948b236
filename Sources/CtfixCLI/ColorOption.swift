import ArgumentParser
import CtfixCore
import Foundation

extension ColorMode: ExpressibleByArgument {}

/// `--color auto|always|never`, on every command. The decision itself is
/// `TerminalStyle.decide` (CtfixCore): `NO_COLOR`, `TERM=dumb`, a pipe, `--json`.
struct ColorOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Colour on standard output: auto (a terminal, unless NO_COLOR is set or TERM=dumb), always, never.", valueName: "WHEN"))
    var color: ColorMode = .auto

    /// The style for this invocation; `json`: standard output carries JSON (never styled).
    func style(json: Bool) -> TerminalStyle {
        TerminalStyle.decide(mode: color, environment: ProcessInfo.processInfo.environment,
                             standardOutputIsTerminal: isatty(STDOUT_FILENO) == 1, json: json)
    }

    /// `ctx` with this invocation's style.
    func styled(_ ctx: CtfixContext, json: Bool) -> CtfixContext {
        var ctx = ctx
        ctx.style = style(json: json)
        return ctx
    }
}
