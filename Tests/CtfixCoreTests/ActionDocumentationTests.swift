import Foundation
import Testing
@testable import CtfixCore

/// Keeps `docs/playbook-format.md` and `docs/playbook.schema.json` in step with the parser:
/// the documented example playbooks load, every predicate and action kind is documented, and
/// the schema's predicate and action keys are exactly the parser's.
@Suite struct ActionDocumentationTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func text(_ relativePath: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(relativePath), encoding: .utf8)
    }

    /// The ```yaml blocks of the format document.
    static func yamlBlocks() throws -> [String] {
        let parts = try text("docs/playbook-format.md").components(separatedBy: "```yaml\n").dropFirst()
        return parts.compactMap { $0.components(separatedBy: "```").first }
    }

    @Test func documentedPlaybooksAreValid() throws {
        let playbooks = try Self.yamlBlocks().filter { $0.hasPrefix("version: 1\n") }
        #expect(!playbooks.isEmpty)
        for yaml in playbooks {
            #expect(throws: Never.self) { _ = try PlaybookLoader.parse(yaml, file: "docs/playbook-format.md") }
        }
    }

    @Test func everyKindHasASectionAndEveryCommonKeyIsDocumented() throws {
        let doc = try Self.text("docs/playbook-format.md")
        for kind in PlaybookAction.kinds {
            #expect(doc.contains("\n### `\(kind.keyword)`\n"), "no section for \(kind.keyword)")
        }
        for kind in Predicate.kinds {
            #expect(doc.contains("\n### `\(kind.keyword)`"), "no section for predicate \(kind.keyword)")
        }
        for key in ActionListParser.commonKeys {
            #expect(doc.contains("| `\(key)` |"), "common key \(key) is not in the actions table")
        }
        for variable in SysctlAction.expressionVariables {
            #expect(doc.contains("`\(variable)`"), "sysctl variable \(variable) is not documented")
        }
    }

    @Test func schemaKeysMatchTheParser() throws {
        let data = try Data(contentsOf: Self.root.appendingPathComponent("docs/playbook.schema.json"))
        let schema = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(schema["$schema"] as? String == "https://json-schema.org/draft/2020-12/schema")
        let defs = try #require(schema["$defs"] as? [String: Any])
        let action = try #require(defs["action"] as? [String: Any])
        let properties = try #require(action["properties"] as? [String: Any])
        let expected = Set(ActionListParser.commonKeys + PlaybookAction.kinds.map { $0.keyword })
        #expect(Set(properties.keys) == expected)
        for kind in PlaybookAction.kinds {
            let body = try #require(defs["\(kind.keyword)Action"] as? [String: Any], "no schema for \(kind.keyword)")
            #expect(body["additionalProperties"] as? Bool == false)
        }
        let predicate = try #require(defs["predicate"] as? [String: Any])
        let predicateKeys = try #require(predicate["properties"] as? [String: Any]).keys
        #expect(Set(predicateKeys) == Set(Predicate.combinators + Predicate.kinds.map { $0.keyword }))
        let topLevel = try #require(schema["properties"] as? [String: Any])
        #expect(Set(topLevel.keys) == ["version", "name", "summary", "description", "parameters", "cooldown",
                                      "on_failure", "detect", "actions", "verify"])
    }
}
