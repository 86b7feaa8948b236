import Foundation
import Testing
@testable import CtfixCore

/// The routing config is read under the playbook limits (`ParseLimits`): hostile YAML and
/// hostile `set:` templates are errors naming the place when the config loads, so nothing
/// about them is left to fail (or crash) when an alert arrives.
struct ServeConfigLimitsTests {
    var playbook: String { ExampleHosts.playbookPath("table-full") }

    func errors(_ text: String) -> [Diagnostic] {
        do {
            _ = try ServeConfigLoader.parse(text, file: "routes.yaml", directory: "/nonexistent")
            return []
        } catch {
            return error.diagnostics
        }
    }

    @Test func aSetTemplateWithTooManyPlaceholdersIsAnErrorAtTheTemplate() throws {
        let template = String(repeating: "{{ .Labels.threshold }}", count: ParseLimits.maximumSubstitutions + 1)
        let found = errors("""
        version: 1
        routes:
          - match: {alertname: X}
            playbook: \(playbook)
            mode: dry-run
            set: {usage_threshold: "\(template)"}
        """)
        let first = try #require(found.first)
        #expect(first.line == 6, "\(first)")
        #expect(first.message.contains("more than \(ParseLimits.maximumSubstitutions)"), "\(first.message)")
    }

    @Test func aHugeSetTemplateIsRefused() throws {
        let found = errors("""
        version: 1
        routes:
          - match: {alertname: X}
            playbook: \(playbook)
            mode: dry-run
            set: {usage_threshold: "\(String(repeating: "-", count: 60_000))0.5"}
        """)
        #expect(found.contains { $0.line == 6 && $0.message.contains("bytes, more than the limit of \(ParseLimits.maximumTemplateBytes)") }, "\(found)")
    }

    @Test func deepNestingAndAliasBombsInTheConfigAreErrorsNotCrashes() {
        let deep = errors("version: 1\nroutes: " + String(repeating: "[", count: 100_000) + "\n")
        #expect(deep.count == 1 && deep[0].line == 2)
        var bomb = ["version: 1", "a0: &a0 [x, y]"]
        for level in 1..<40 { bomb.append("a\(level): &a\(level) [*a\(level - 1), *a\(level - 1)]") }
        bomb.append("routes: {*a39: 1}")
        let aliases = errors(bomb.joined(separator: "\n"))
        #expect(aliases.count == 1 && aliases[0].message.contains("aliases"), "\(aliases)")
    }
}
