/// `--color auto|always|never`.
public enum ColorMode: String, Sendable, CaseIterable {
    /// Colour when standard output is a terminal, `NO_COLOR` is unset or empty and `TERM` is
    /// not `dumb`.
    case auto
    /// Colour even into a pipe (`less -R`); an explicit choice, so it wins over `NO_COLOR`.
    case always
    /// Never colour.
    case never
}

/// How ctfix may decorate what it writes on standard output: colours, and a live countdown
/// redrawn in place. The one place colour is decided and spelled: every styled line goes
/// through `render` and reaches the terminal only by `OutputSink.writeTerminalControl`
/// (`CtfixContext.show`), with every piece of text in it escaped by `GuardedOutputSink.guarded`
/// first — so outside text (a kernel log line, an alert label) can never carry an escape of
/// its own into the terminal, coloured or not. JSON output is never styled.
public struct TerminalStyle: Sendable, Equatable {
    /// SGR colour sequences around styled pieces.
    public var colors: Bool
    /// Standard output is a terminal that understands carriage return and erase-line, so a
    /// wait can show a live countdown instead of one line saying how long it waits.
    public var liveProgress: Bool

    public init(colors: Bool, liveProgress: Bool) {
        self.colors = colors
        self.liveProgress = liveProgress
    }

    /// No decoration: pipes, files, tests, JSON.
    public static let plain = TerminalStyle(colors: false, liveProgress: false)

    /// The style for one invocation. `json`: standard output carries JSON and stays exact (no
    /// colour, no countdown on it). `NO_COLOR` (any non-empty value, no-color.org) and
    /// `TERM=dumb` turn colour off under `auto`; `always` is the operator's explicit word.
    public static func decide(mode: ColorMode, environment: [String: String], standardOutputIsTerminal: Bool,
                              json: Bool) -> TerminalStyle {
        if json { return .plain }
        let dumb = environment["TERM"] == "dumb"
        let noColor = !(environment["NO_COLOR"] ?? "").isEmpty
        let colors = switch mode {
        case .never: false
        case .always: true
        case .auto: standardOutputIsTerminal && !dumb && !noColor
        }
        return TerminalStyle(colors: colors, liveProgress: standardOutputIsTerminal && !dumb)
    }

    /// What a piece of text means; its colour is chosen here and nowhere else.
    public enum Role: Sendable, Equatable {
        /// Success, healthy, applied, `[safe]`.
        case good
        /// Needs attention but is not a failure: declined, partial, `[disruptive]`, unknown.
        case warning
        /// Failure, firing, `[destructive]`.
        case bad
        /// Informational: dry-run, simulated, planned.
        case note
        /// Nothing happened: skipped, no change, not run.
        case muted
        /// Headings (the recap's title).
        case heading

        var sgr: String {
            switch self {
            case .good: "\u{1B}[32m"
            case .warning: "\u{1B}[33m"
            case .bad: "\u{1B}[1;31m"
            case .note: "\u{1B}[36m"
            case .muted: "\u{1B}[2m"
            case .heading: "\u{1B}[1m"
            }
        }
    }

    static let reset = "\u{1B}[0m"

    /// `text` as the terminal receives it: with colours, each piece guarded and styled pieces
    /// wrapped in SGR; without, the plain text (the output sink guards it).
    public func render(_ text: StyledText) -> String {
        guard colors else { return text.plain }
        var out = ""
        for piece in text.pieces {
            switch piece {
            case .plain(let string):
                out += GuardedOutputSink.guarded(string)
            case .styled(let string, let role):
                // Newlines stay outside the colour, so a pager or a cut line never bleeds it.
                let lines = string.split(separator: "\n", omittingEmptySubsequences: false)
                out += lines.map { $0.isEmpty ? "" : role.sgr + GuardedOutputSink.guarded(String($0)) + Self.reset }
                    .joined(separator: "\n")
            }
        }
        return out
    }
}

extension TerminalStyle.Role {
    /// The colour of a risk class in a plan: `[safe]`, `[disruptive]`, `[destructive]`.
    public init(_ risk: RiskClass) {
        self = switch risk {
        case .safe: .good
        case .disruptive: .warning
        case .destructive: .bad
        }
    }

    /// The colour of an action's result.
    public init(_ status: ActionReport.Status) {
        self = switch status {
        case .applied, .rolledBack: .good
        case .failed: .bad
        case .declined, .refused: .warning
        case .planned, .simulated: .note
        case .noChange, .skipped, .notRun: .muted
        }
    }

    /// The colour of a run's outcome.
    public init(_ outcome: RunOutcome) {
        self = switch outcome {
        case .healthy, .remediated: .good
        case .dryRun: .note
        case .failed, .notRemediated: .bad
        default: .warning
        }
    }

    /// The colour of a detection's state: firing is the problem.
    public init(_ state: PredicateResult.State) {
        self = switch state {
        case .holds: .bad
        case .doesNotHold: .good
        case .unknown: .warning
        }
    }
}
