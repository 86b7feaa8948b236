import CtfixCore
import Foundation

/// Bytes as a playbook file, through `PlaybookLoader` as `ctfix validate` loads it (YAML, the
/// schema, parameters, predicates, actions and every number expression in them).
///
/// Invariants: the loader returns a playbook or diagnostics, never both nor neither; every
/// diagnostic names the file and a line and column inside the text (a place the author can
/// go to); a playbook it accepts has a valid name and its defaults satisfy its own parameter
/// declarations (`resolveParameters` with no `--set` succeeds, and each default read back as a
/// `--set` value is accepted).
enum PlaybookFuzzEntry {
    static let file = "fuzz/playbook.yaml"

    static func check(_ bytes: [UInt8], _ violations: inout Violations) {
        // The loader refuses non-UTF-8 files before parsing (its own diagnostic); the parser
        // takes text.
        guard let text = String(validating: bytes, as: UTF8.self) else { return }
        do {
            let playbook = try PlaybookLoader.parse(text, file: file)
            violations.expect(playbook.name.range(of: "^[a-z0-9][a-z0-9._-]{0,62}$", options: .regularExpression) != nil,
                              "accepted playbook has an invalid name \(quoted(playbook.name))")
            violations.expect(playbook.sha256.count == 64, "accepted playbook has no sha256")
            do {
                _ = try playbook.resolveParameters([:])
            } catch {
                violations.fail("the defaults of an accepted playbook do not resolve: \(error)")
            }
            for parameter in playbook.parameters {
                // A default written back as `--set NAME=VALUE` must be accepted: otherwise
                // `ctfix run --set` of the value `ctfix check` shows would fail.
                guard case .number(let value) = parameter.defaultValue, value.isFinite else {
                    if case .number(let value) = parameter.defaultValue {
                        violations.fail("parameter \(parameter.name) has the non-finite default \(value)")
                    }
                    continue
                }
                let text: String
                if parameter.type == .duration {
                    guard abs(value) < 1e12 else { continue }
                    text = DurationText.format(.milliseconds(Int64((value * 1000).rounded())))
                } else {
                    // Written out in full (the parser reads no exponent); skip values that
                    // 17 decimals cannot carry exactly.
                    text = String(format: "%.17f", value)
                    guard Double(text) == value else { continue }
                }
                if case .failure(let error) = parameter.value(from: text) {
                    violations.fail("parameter \(parameter.name): its own default \(text) is refused as --set: \(error)")
                }
            }
        } catch {
            violations.expect(!error.diagnostics.isEmpty, "the loader failed without a diagnostic")
            for diagnostic in error.diagnostics {
                violations.expect(diagnostic.file == file, "diagnostic names \(quoted(diagnostic.file)), not the file")
                violations.expect(!diagnostic.message.isEmpty, "empty diagnostic message at \(diagnostic.line):\(diagnostic.column)")
                violations.expect(place(diagnostic, in: text), "diagnostic at \(diagnostic.line):\(diagnostic.column) is not inside the file: \(quoted(diagnostic.message))")
            }
        }
    }

    /// True when the diagnostic's place is inside the text, counting lines either as ctfix's own
    /// checks do (`\n` only, columns in bytes) or as libyaml does (`\n`, `\r\n`, `\r`, NEL,
    /// U+2028, U+2029; a form feed is not a line break in YAML).
    static func place(_ diagnostic: Diagnostic, in text: String) -> Bool {
        guard diagnostic.line >= 1, diagnostic.column >= 1 else { return false }
        func inside(_ widths: [Int]) -> Bool {
            diagnostic.line <= widths.count && diagnostic.column <= widths[diagnostic.line - 1] + 1
        }
        let newlineOnly = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map(\.count)
        var yaml: [Int] = [0]
        var previous: Unicode.Scalar?
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n" where previous == "\r": break
            case "\n", "\r", "\u{85}", "\u{2028}", "\u{2029}": yaml.append(0)
            default: yaml[yaml.count - 1] += scalar.utf8.count
            }
            previous = scalar
        }
        return inside(newlineOnly) || inside(yaml)
    }
}
