import Foundation

/// A step in JSON: one key naming the kind (`set_value`, `set_namespace_value`, `write_file`,
/// `trigger`, `run_command`, `reboot`) holding its fields, every name snake_case as `--json`
/// promises. Decoding also accepts the camelCase spellings (`setValue`, `timeoutSeconds`…)
/// that audit logs written before issue 10 hold, so `rollback` and `audit show` still read
/// them; the hash chain is over the bytes, which are never rewritten.
extension PlannedStep: Codable {
    /// A JSON key, with the older camelCase spelling it replaces.
    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ name: String) { stringValue = name }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }

        /// The snake_case spelling written, and the camelCase one older logs hold.
        static func spellings(_ name: String) -> [Key] {
            let camel = name.split(separator: "_").enumerated()
                .map { $0.offset == 0 ? String($0.element) : $0.element.prefix(1).uppercased() + $0.element.dropFirst() }.joined()
            return camel == name ? [Key(name)] : [Key(name), Key(camel)]
        }
    }

    /// Reads one step's fields under either spelling.
    struct Fields {
        let container: KeyedDecodingContainer<Key>
        func callAsFunction<T: Decodable>(_ name: String, _ type: T.Type = T.self) throws -> T {
            for key in Key.spellings(name) where container.contains(key) { return try container.decode(T.self, forKey: key) }
            throw DecodingError.keyNotFound(Key(name), .init(codingPath: container.codingPath, debugDescription: "no '\(name)'"))
        }
        func optional<T: Decodable>(_ name: String, _ type: T.Type = T.self) throws -> T? {
            for key in Key.spellings(name) where container.contains(key) { return try container.decodeIfPresent(T.self, forKey: key) }
            return nil
        }
    }

    public init(from decoder: any Decoder) throws {
        let outer = try decoder.container(keyedBy: Key.self)
        for kind in ["set_value", "set_namespace_value", "write_file", "trigger", "run_command", "reboot"] {
            guard let key = Key.spellings(kind).first(where: { outer.contains($0) }) else { continue }
            let f = Fields(container: try outer.nestedContainer(keyedBy: Key.self, forKey: key))
            switch kind {
            case "set_value":
                self = .setValue(path: try f("path"), name: try f("name"), before: try f("before"), after: try f("after"))
            case "set_namespace_value":
                self = .setNamespaceValue(namespace: try f("namespace"), label: try f("label"), path: try f("path"), name: try f("name"),
                                          before: try f("before"), after: try f("after"))
            case "write_file":
                self = .writeFile(path: try f("path"), before: try f.optional("before"), after: try f.optional("after"),
                                  diff: try f.optional("diff") ?? "", backup: try f.optional("backup"))
            case "trigger":
                self = .trigger(path: try f("path"), name: try f("name"), value: try f("value"))
            case "run_command":
                self = .runCommand(argv: try f("argv"), timeoutSeconds: try f("timeout_seconds"), environment: try f.optional("environment") ?? [:])
            default:
                self = .reboot(method: try f("method"), sentinel: try f.optional("sentinel"), delaySeconds: try f.optional("delay_seconds"))
            }
            return
        }
        throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a planned step"))
    }

    public func encode(to encoder: any Encoder) throws {
        var outer = encoder.container(keyedBy: Key.self)
        switch self {
        case .setValue(let path, let name, let before, let after):
            var c = outer.nestedContainer(keyedBy: Key.self, forKey: Key("set_value"))
            try c.encode(path, forKey: Key("path")); try c.encode(name, forKey: Key("name"))
            try c.encode(before, forKey: Key("before")); try c.encode(after, forKey: Key("after"))
        case .setNamespaceValue(let namespace, let label, let path, let name, let before, let after):
            var c = outer.nestedContainer(keyedBy: Key.self, forKey: Key("set_namespace_value"))
            try c.encode(namespace, forKey: Key("namespace")); try c.encode(label, forKey: Key("label"))
            try c.encode(path, forKey: Key("path")); try c.encode(name, forKey: Key("name"))
            try c.encode(before, forKey: Key("before")); try c.encode(after, forKey: Key("after"))
        case .writeFile(let path, let before, let after, let diff, let backup):
            var c = outer.nestedContainer(keyedBy: Key.self, forKey: Key("write_file"))
            try c.encode(path, forKey: Key("path")); try c.encodeIfPresent(before, forKey: Key("before"))
            try c.encodeIfPresent(after, forKey: Key("after")); try c.encode(diff, forKey: Key("diff"))
            try c.encodeIfPresent(backup, forKey: Key("backup"))
        case .trigger(let path, let name, let value):
            var c = outer.nestedContainer(keyedBy: Key.self, forKey: Key("trigger"))
            try c.encode(path, forKey: Key("path")); try c.encode(name, forKey: Key("name")); try c.encode(value, forKey: Key("value"))
        case .runCommand(let argv, let timeoutSeconds, let environment):
            var c = outer.nestedContainer(keyedBy: Key.self, forKey: Key("run_command"))
            try c.encode(argv, forKey: Key("argv")); try c.encode(timeoutSeconds, forKey: Key("timeout_seconds"))
            try c.encode(environment, forKey: Key("environment"))
        case .reboot(let method, let sentinel, let delaySeconds):
            var c = outer.nestedContainer(keyedBy: Key.self, forKey: Key("reboot"))
            try c.encode(method, forKey: Key("method")); try c.encodeIfPresent(sentinel, forKey: Key("sentinel"))
            try c.encodeIfPresent(delaySeconds, forKey: Key("delay_seconds"))
        }
    }
}
