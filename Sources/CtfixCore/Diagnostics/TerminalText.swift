/// Text that came from outside ctfix (kernel log lines, file contents, alert labels and
/// fingerprints, audit record fields), made safe to print for a reader. A kernel log line or an
/// alert label is written by whoever can write to syslog or post to Alertmanager: printed raw, an
/// ESC sequence could rewrite the screen (`\x1B[2K`), a carriage return or newline could forge a
/// whole line (`alert … remediated`), and a bidi override could make text read backwards.
///
/// The rule, the same for every human-readable output (run, check, status, watch, serve, audit
/// show/verify, rollback, diagnostics that quote input):
/// - C0 controls (tab too, unless `keepingTabs`), DEL and C1 controls become `\xNN`;
/// - bidi embeddings, overrides, isolates and marks (U+202A–202E, U+2066–2069, U+200E, U+200F,
///   U+061C) and the line/paragraph separators U+2028/2029 become `\u{NNNN}`;
/// - in `escape`, the backslash itself becomes `\\`, so an escape can never be confused with text that
///   merely looks like one (a line holding the four characters `\x1B` prints as `\\x1B`);
/// - bytes that are not UTF-8 were already decoded as U+FFFD (printable) where the text was read.
/// File content in a plan's diff and playbook-authored text (`content`) keep tabs and single
/// backslashes, so a config line reads as it is in the file; the plan says when a line of a diff
/// had characters escaped.
/// JSON output (`--json`) and the audit log are never passed through this: they keep the exact value.
public enum TerminalText {
    /// `text` as one safe, unambiguous terminal line (labels, fingerprints, log lines, audit fields).
    public static func escape(_ text: String) -> String {
        escape(text, keepingTabs: false, doublingBackslash: true)
    }

    /// `text` safe to print as it reads in a file: tabs and backslashes kept, controls escaped.
    public static func content(_ text: String) -> String {
        escape(text, keepingTabs: true, doublingBackslash: false)
    }

    /// True when `content(text)` differs from `text` (a diff line had a control character).
    public static func contentNeedsEscape(_ text: String) -> Bool {
        text.unicodeScalars.contains { needsEscape($0, keepingTabs: true, doublingBackslash: false) }
    }

    /// `text` safe to print; `keepingTabs` keeps tabs, `keepingNewlines` newlines (whole output
    /// blocks, `GuardedOutputSink`), `doublingBackslash` writes `\\` for `\`.
    public static func escape(_ text: String, keepingTabs: Bool, keepingNewlines: Bool = false, doublingBackslash: Bool) -> String {
        func escapes(_ scalar: Unicode.Scalar) -> Bool {
            !(keepingNewlines && scalar == "\n") && needsEscape(scalar, keepingTabs: keepingTabs, doublingBackslash: doublingBackslash)
        }
        guard text.unicodeScalars.contains(where: escapes) else { return text }
        var out = ""
        out.unicodeScalars.reserveCapacity(text.unicodeScalars.count + 8)
        for scalar in text.unicodeScalars {
            if escapes(scalar) {
                out += escaped(scalar)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// True for the characters `escape` rewrites.
    public static func needsEscape(_ scalar: Unicode.Scalar, keepingTabs: Bool = false, doublingBackslash: Bool = true) -> Bool {
        switch scalar.value {
        case 0x09: !keepingTabs
        case 0x5C: doublingBackslash
        case 0x00...0x1F, 0x7F...0x9F: true
        case 0x202A...0x202E, 0x2066...0x2069, 0x200E, 0x200F, 0x061C, 0x2028, 0x2029: true
        default: false
        }
    }

    static func escaped(_ scalar: Unicode.Scalar) -> String {
        let value = scalar.value
        if value == 0x5C { return "\\\\" }
        if value <= 0x9F { return "\\x" + hex(value, width: 2) }
        return "\\u{" + hex(value, width: 4) + "}"
    }

    private static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
