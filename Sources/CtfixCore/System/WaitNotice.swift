/// How a wait shows itself, so no wait of ctfix is ever silent: a run that sits ten seconds
/// before verifying looks hung otherwise, and an operator presses Ctrl-C on a run that was
/// about to finish.
public enum WaitNotice: Sendable, Equatable {
    /// Nothing shown: the caller has already said what it waits for, or it is a loop of a
    /// long-running service (`watch`, `serve`) whose log must not fill with countdowns.
    case silent
    /// One line on standard error before the wait ("waiting 10 s before verification…"): a
    /// pipe, a journal, `--json` on standard output.
    case line
    /// A countdown redrawn in place on standard output, erased when the wait ends.
    case live

    /// `.live` when standard output is a terminal (`TerminalStyle.liveProgress`) and does not carry
    /// JSON, else `.line`; `.silent` when `announce` is false and there is no terminal.
    public static func choose(_ ctx: CtfixContext, json: Bool, announce: Bool = true) -> WaitNotice {
        if ctx.style.liveProgress && !json { return .live }
        return announce ? .line : .silent
    }

    /// Waits through `sleep` (the context's sleeper, or an interruption), showing it: `line` is
    /// said once on standard error ("waiting 10 s before verifying the host (Ctrl-C to stop)"),
    /// `live(seconds)` is redrawn each second ("verifying in 7 s… (Ctrl-C to stop)"). False
    /// when interrupted.
    public func wait(_ duration: Duration, output: any OutputSink, line: String, live: @escaping @Sendable (Int) -> String,
                     sleep: (Duration, @escaping @Sendable (Int) -> Void) async -> Bool) async -> Bool {
        switch self {
        case .silent:
            return await sleep(duration) { _ in }
        case .line:
            output.errorLine("waiting \(Self.format(duration)) \(line) (Ctrl-C to stop)")
            return await sleep(duration) { _ in }
        case .live:
            let waited = await sleep(duration) { seconds in
                output.writeTerminalControl("\r")
                output.write(live(seconds) + " (Ctrl-C to stop)")
                output.writeTerminalControl("\u{1B}[K")
            }
            output.writeTerminalControl("\r\u{1B}[K")
            return waited
        }
    }

    /// "10 s", "2.5 s", "250 ms".
    static func format(_ duration: Duration) -> String {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        if seconds < 1 { return "\(Int((seconds * 1000).rounded())) ms" }
        if seconds == seconds.rounded() { return "\(Int(seconds)) s" }
        return "\((seconds * 10).rounded() / 10) s"
    }
}
