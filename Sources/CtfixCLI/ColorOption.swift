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
    func style(json: Bool) -> TerminalStyle { Self.style(mode: color, json: json) }

    /// `ctx` with this invocation's style.
    func styled(_ ctx: CtfixContext, json: Bool) -> CtfixContext { Self.styled(ctx, mode: color, json: json) }

    static func style(mode: ColorMode, json: Bool, environment: [String: String] = ProcessInfo.processInfo.environment) -> TerminalStyle {
        TerminalStyle.decide(mode: mode, environment: environment,
                             standardOutputIsTerminal: isatty(STDOUT_FILENO) == 1, json: json)
    }

    static func styled(_ ctx: CtfixContext, mode: ColorMode, json: Bool,
                       environment: [String: String] = ProcessInfo.processInfo.environment) -> CtfixContext {
        var ctx = ctx
        ctx.style = style(mode: mode, json: json, environment: environment)
        return ctx
    }
}
