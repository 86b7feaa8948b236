import Foundation

/// The text form of `ctfix check`: a Nagios first line (`CTFIX CRITICAL - …|perfdata`), then
/// the evidence as an indented tree that an on-call engineer can read top to bottom. Only the
/// per-playbook status is coloured (on a terminal): the Nagios line stays plain.
enum CheckReport {
    static func text(_ outcomes: [CheckCommand.Outcome], status: ExitStatus) -> StyledText {
        let word = status == .critical ? "CRITICAL" : status == .unknown ? "UNKNOWN" : "OK"
        let firing = outcomes.filter(\.firing).compactMap(\.name)
        let unknown = outcomes.filter { $0.status == "unknown" }.map { $0.name ?? $0.playbook }
        var summary: String
        if !firing.isEmpty {
            summary = "firing: " + firing.joined(separator: ", ")
        } else if !unknown.isEmpty {
            summary = "could not evaluate: " + unknown.joined(separator: ", ")
        } else {
            summary = "\(outcomes.count) playbook\(outcomes.count == 1 ? "" : "s") checked, none firing"
        }
        if outcomes.count == 1, let evidence = outcomes[0].evidence {
            summary += " — " + TerminalText.content(evidence.headline)
        }
        let perfdata = outcomes.map(\.perfdata).filter { !$0.isEmpty }.joined(separator: " ")
        var text = StyledText("CTFIX \(word) - \(summary)" + (perfdata.isEmpty ? "" : " | \(perfdata)") + "\n")
        for outcome in outcomes {
            let role: TerminalStyle.Role = switch outcome.status {
            case "critical": .bad
            case "ok": .good
            default: .warning
            }
            text += "\n\(outcome.name ?? outcome.playbook) (\(outcome.playbook)): \(outcome.status.uppercased(), role)\n"
            for error in outcome.errors { text += "  error: \(TerminalText.content(error))\n" }
            if let evidence = outcome.evidence { text += StyledText(EvidenceText.render(evidence, indent: "  ")) }
        }
        return text
    }
}

/// Evidence trees as indented text, shared by `check` and the run plan.
public enum EvidenceText {
    /// At most this many matching lines are printed per log predicate (the count says the rest).
    public static let linesShown = 5

    public static func render(_ result: PredicateResult, indent: String) -> String {
        let mark = switch result.state {
        case .holds: "[x]"
        case .doesNotHold: "[ ]"
        case .unknown: "[?]"
        }
        var text = "\(indent)\(mark) \(TerminalText.content(result.predicate))\n"
        if !["all", "any"].contains(result.kind) || result.children.isEmpty {
            text += "\(indent)    \(TerminalText.content(result.detail))\n"
        }
        for reading in result.readings {
            let unit = reading.unit.isEmpty ? "" : " \(reading.unit)"
            let note = reading.note.map { " (\(TerminalText.content($0)))" } ?? ""
            text += "\(indent)    \(reading.name) = \(formatNumber(reading.value))\(unit)  [\(TerminalText.content(reading.source))]\(note)\n"
        }
        let shown = result.matches.suffix(linesShown)
        if result.matches.count > shown.count {
            text += "\(indent)    … \(result.matches.count - shown.count) earlier matching line(s) not shown\n"
        }
        for match in shown {
            let time = match.time.map { ISO8601Time.rounded($0) } ?? "(no time)"
            let place = TerminalText.content(match.line.map { "\(match.source):\($0)" } ?? match.source)
            let suppressed = match.suppressed > 0 ? "  (+\(match.suppressed) suppressed)" : ""
            // A kernel log line is written by whoever can write to syslog: shown escaped, unambiguously.
            text += "\(indent)    \(time) \(place): \(TerminalText.escape(match.text))\(suppressed)\n"
        }
        for child in result.children { text += render(child, indent: indent + "    ") }
        return text
    }
}

extension PredicateResult {
    /// The most telling leaf detail, for one-line summaries: the first leaf that held, else
    /// the first unknown one, else the first leaf.
    var headline: String {
        let leaves = self.leaves
        let pick = leaves.first { $0.state == .holds } ?? leaves.first { $0.state == .unknown } ?? leaves.first
        return pick?.detail ?? detail
    }

    var leaves: [PredicateResult] {
        children.isEmpty ? [self] : children.flatMap(\.leaves)
    }
}
