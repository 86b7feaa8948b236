/// Escapes text that came from outside (label values, fingerprints, alert names) before serve
/// prints it, so a label cannot move the cursor, recolour the terminal, reverse text or forge a
/// line: C0 controls (including newline and tab), DEL and C1 become `\xNN`, bidi overrides and
/// isolates (U+202A–202E, U+2066–2069) `\u{NNNN}`, and `\` itself `\\`. The audit log keeps the
/// exact value (JSON escapes it); this is only for serve's own output lines and messages.
public enum ServeText {
    public static func escape(_ text: String) -> String {
        var out = ""
        out.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if v < 0x20 || (0x7F...0x9F).contains(v) {
                out += "\\x" + hex(v, width: 2)
            } else if (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v) {
                out += "\\u{" + hex(v, width: 4) + "}"
            } else if scalar == "\\" {
                out += "\\\\"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
