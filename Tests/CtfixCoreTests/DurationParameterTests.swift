import Foundation
import Testing
@testable import CtfixCore

/// Durations written as parameters (`within: ${window}`, `for: ${sustain}`) and duration
/// parameters bounded by durations: checked where written, with the place.
@Suite struct DurationParameterTests {
    static func playbook(parameters: String, detect: String) -> String {
        """
        version: 1
        name: durations
        summary: Duration parameters.
        parameters:
        \(parameters)
        detect:
        \(detect)
        actions:
          - name: nothing
            explain: Runs nothing.
            risk: safe
            command: {argv: [/bin/true]}
        """
    }

    static func load(_ text: String) -> (Playbook?, [Diagnostic]) {
        do {
            return (try PlaybookLoader.parse(text, file: "d.yaml"), [])
        } catch {
            return (nil, error.diagnostics)
        }
    }

    static let window = """
          window:
            type: duration
            default: 15m
            minimum: 1m
            maximum: 2h
            description: How far back to look.
        """

    @Test func aDurationParameterWithDurationBoundsDrivesAWindow() throws {
        let text = Self.playbook(parameters: Self.window, detect: "  log:\n    pattern: 'table full'\n    within: ${window}\n")
        let (loaded, diagnostics) = Self.load(text)
        let playbook = try #require(loaded, "\(diagnostics)")
        let parameter = try #require(playbook.parameters.first)
        #expect(parameter.minimum == 60 && parameter.maximum == 7200)
        #expect(parameter.value(from: "30s") == .failure(ParameterError(name: "window", message: "must be at least 1m, got 30s")))
        #expect(parameter.value(from: "1h") == .success(.number(3600)))
        guard case .leaf(let kind) = playbook.detect, let log = kind as? LogPredicate else { Issue.record("not a log predicate"); return }
        #expect(log.window == .parameter("window"))
        #expect(log.within(["window": 1800]) == .seconds(1800))
        #expect(log.summaryLine.contains("within ${window}"))
    }

    @Test(arguments: [
        ("  log:\n    pattern: 'x'\n    within: ${windw}\n", 18, 13, "undeclared parameter 'windw' (did you mean 'window'?)"),
        ("  log:\n    pattern: 'x'\n    within: ${threshold}\n", 18, 13, "parameter 'threshold', a number; it must be a duration parameter"),
        ("  log:\n    pattern: 'x'\n    within: ${window\n", 18, 13, "must be a duration such as 30s or 15m, or a parameter"),
        ("  value:\n    sysctl: net.netfilter.nf_conntrack_count\n    above: 1\n    for: 0s\n", 19, 10, "longer than zero"),
        ("  value:\n    sysctl: net.netfilter.nf_conntrack_count\n    above: 1\n    for: 2d\n", 19, 10, "between 1s and 1d"),
        ("  value:\n    sysctl: net.netfilter.nf_conntrack_count\n    above: 1\n    for: ${threshold}\n", 19, 10, "a number; it must be a duration parameter"),
        ("  value:\n    sysctl: net.netfilter.nf_conntrack_count\n    above: 1\n    for: [1m]\n", 19, 10, "must be a duration"),
    ])
    func badDurationReferencesAreRefusedWhereWritten(_ detect: String, _ line: Int, _ column: Int, _ message: String) {
        let parameters = Self.window + "\n  threshold:\n    type: number\n    default: 1\n    description: A number."
        let (loaded, diagnostics) = Self.load(Self.playbook(parameters: parameters, detect: detect))
        #expect(loaded == nil)
        let hit = diagnostics.first { $0.message.contains(message) }
        #expect(hit != nil, "\(diagnostics.map(\.description))")
        #expect(hit?.line == line && hit?.column == column, "\(diagnostics.map(\.description))")
    }

    @Test(arguments: [
        ("minimum: 5", "is a duration such as 30s"),
        ("minimum: 2h\n    maximum: 1h", "maximum (1h) is below minimum (2h)"),
        ("minimum: soon", "must be a duration"),
    ])
    func durationBoundsAreDurations(_ bounds: String, _ message: String) {
        let parameters = "  window:\n    type: duration\n    default: 90m\n    \(bounds)\n    description: A window."
        let (loaded, diagnostics) = Self.load(Self.playbook(parameters: parameters, detect: "  log:\n    pattern: 'x'\n    within: ${window}\n"))
        #expect(loaded == nil)
        #expect(diagnostics.contains { $0.message.contains(message) }, "\(diagnostics.map(\.description))")
    }
}
