/// Defence in depth for human-readable output: whatever a call site forgot to escape, no control
/// sequence from outside reaches the operator's terminal through this sink. Every C0 control but
/// newline and tab, DEL, C1 and the bidi controls are written as `TerminalText` escapes on
/// standard error always and on standard output unless it carries JSON (`exactStandardOutput`,
/// for `--json`, whose encoder already escapes controls and whose values must stay exact).
/// ctfix's own terminal sequences (the countdown's `\r` and erase-line) go through
/// `writeTerminalControl`, which is the only way past it.
public struct GuardedOutputSink: OutputSink {
    public let base: any OutputSink
    public let exactStandardOutput: Bool

    public init(_ base: any OutputSink, exactStandardOutput: Bool) {
        self.base = base
        self.exactStandardOutput = exactStandardOutput
    }

    public func write(_ text: String) {
        base.write(exactStandardOutput ? text : Self.guarded(text))
    }

    public func writeError(_ text: String) {
        base.writeError(Self.guarded(text))
    }

    public func writeTerminalControl(_ text: String) {
        base.write(text)
    }

    /// `text` with every control but newline and tab escaped (backslashes kept). Scalar by
    /// scalar: `"\r\n"` is one Swift `Character`, so a split on characters would miss the newline.
    public static func guarded(_ text: String) -> String {
        TerminalText.escape(text, keepingTabs: true, keepingNewlines: true, doublingBackslash: false)
    }
}
