import Foundation
import Testing
@testable import CtfixCore

/// Plan steps in `--json` and the audit log: snake_case kinds and fields, and the camelCase
/// spellings of audit logs written before issue 10 still read back the same step (rollback
/// depends on it).
@Suite struct PlannedStepCodingTests {
    static let steps: [PlannedStep] = [
        .setValue(path: "/proc/sys/net/netfilter/nf_conntrack_max", name: "net.netfilter.nf_conntrack_max", before: "1", after: "2"),
        .setNamespaceValue(namespace: NamespaceTarget(id: 4026532177, pid: 4242), label: "netns 4026532177", path: "/proc/sys/x",
                           name: "x", before: "1", after: "2"),
        .writeFile(path: "/etc/a.conf", before: nil, after: "b\n", diff: "+b", backup: nil),
        .writeFile(path: "/etc/a.conf", before: "a\n", after: "b\n", diff: "-a\n+b", backup: "/var/lib/ctfix/backups/r/etc/a.conf"),
        .trigger(path: "/proc/sys/vm/drop_caches", name: "vm.drop_caches", value: "3"),
        .runCommand(argv: ["conntrack", "-F"], timeoutSeconds: 30, environment: ["LANG": "C"]),
        .reboot(method: "systemctl", sentinel: nil, delaySeconds: 300),
        .reboot(method: "kured", sentinel: "/var/run/reboot-required", delaySeconds: nil),
    ]

    static func keys(_ value: Any) -> [String] {
        switch value {
        // An environment's variable names are data (LANG), not field names.
        case let object as [String: Any]: object.keys.sorted() + object.filter { $0.key != "environment" }.values.flatMap(keys)
        case let array as [Any]: array.flatMap(keys)
        default: []
        }
    }

    @Test(arguments: steps)
    func encodesSnakeCaseAndRoundTrips(step: PlannedStep) throws {
        let data = try JSONEncoder().encode(step)
        let object = try JSONSerialization.jsonObject(with: data)
        let notSnake = Self.keys(object).filter { $0.range(of: "^[a-z0-9_]+$", options: .regularExpression) == nil }
        #expect(notSnake == [], "\(String(decoding: data, as: UTF8.self))")
        #expect(try JSONDecoder().decode(PlannedStep.self, from: data) == step)
        // The same step as the previous version wrote it.
        let old = JSONValue.from(step).camelCased
        #expect(try JSONDecoder().decode(PlannedStep.self, from: try JSONEncoder().encode(old)) == step, "\(old)")
        #expect(LegacySpelling.normalized(old) == JSONValue.from(step))
    }

    @Test func somethingThatIsNotAStepIsAnErrorNotAGuess() {
        for text in [#"{}"#, #"{"set_value": {"path": "/x"}}"#, #"{"setvalue": {}}"#, #"{"reboot": {}}"#, #"[]"#] {
            #expect(throws: DecodingError.self, "\(text)") { try JSONDecoder().decode(PlannedStep.self, from: Data(text.utf8)) }
        }
    }
}

extension JSONValue {
    /// Every snake_case key written camelCase, as ctfix wrote plan steps before issue 10.
    var camelCased: JSONValue {
        switch self {
        case .object(let object):
            .object(Dictionary(uniqueKeysWithValues: object.map { key, value in
                (key.split(separator: "_").enumerated()
                    .map { $0.offset == 0 ? String($0.element) : $0.element.prefix(1).uppercased() + $0.element.dropFirst() }.joined(),
                 value.camelCased)
            }))
        case .array(let array): .array(array.map(\.camelCased))
        default: self
        }
    }
}
