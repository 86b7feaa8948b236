/// The spellings audit logs written before issue 10 hold (camelCase plan-step kinds and fields,
/// `mode: "dry-run"`), read as today's snake_case ones. The bytes on disk are never rewritten
/// (the hash chain is over them); `audit show` prints records through this, so its output has
/// one spelling per concept whatever version wrote the log. `PlannedStep`'s decoder accepts
/// both spellings by itself (for `rollback`).
public enum LegacySpelling {
    /// Old key → today's key.
    public static let keys: [String: String] = [
        "setValue": "set_value", "setNamespaceValue": "set_namespace_value", "writeFile": "write_file",
        "runCommand": "run_command", "timeoutSeconds": "timeout_seconds", "delaySeconds": "delay_seconds",
    ]

    /// `value` with every old key renamed and an old `mode` value respelled, at any depth.
    public static func normalized(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let object):
            var result: [String: JSONValue] = [:]
            for (key, child) in object {
                let name = keys[key] ?? key
                // A log holds either spelling, never both in one object; today's wins.
                if result[name] != nil && name != key { continue }
                result[name] = name == "mode" && child == "dry-run" ? "dry_run" : normalized(child)
            }
            return .object(result)
        case .array(let array):
            return .array(array.map(normalized))
        default:
            return value
        }
    }

    /// A record with its fields normalized.
    public static func normalized(_ record: AuditRecord) -> AuditRecord {
        var record = record
        if case .object(let fields) = normalized(.object(record.fields)) { record.fields = fields }
        return record
    }
}
