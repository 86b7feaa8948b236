import Crypto
import Foundation

/// A validated playbook: what to look for on the host and what to do about it.
/// See `docs/playbook-format.md` for the format and `PlaybookLoader` for validation.
public struct Playbook: Sendable {
    /// The file it was read from, as given.
    public var path: String
    /// SHA-256 of the file's bytes, recorded in the audit log so a run names exactly what ran.
    public var sha256: String
    public var name: String
    public var summary: String
    public var description: String?
    public var parameters: [Parameter]
    public var detect: Predicate
    public var actions: [PlaybookAction]
    public var verify: Verification?
    public var onFailure: FailurePolicy
    /// Minimum time between two unattended runs of this playbook on one host.
    public var cooldown: Duration?

    /// What to do when an action fails.
    public enum FailurePolicy: String, Sendable, CaseIterable {
        /// Stop, leave completed actions in place, report exactly what changed.
        case stop
        /// Stop and undo completed reversible actions in reverse order.
        case rollback
    }

    /// Resolves parameter values: defaults, overridden by `overrides` (`--set`), each checked
    /// against its declaration. Unknown names are errors (a typo must not be ignored).
    public func resolveParameters(_ overrides: [String: String]) throws(ParameterError) -> [String: ParameterValue] {
        var values: [String: ParameterValue] = [:]
        for parameter in parameters { values[parameter.name] = parameter.defaultValue }
        for (name, text) in overrides.sorted(by: { $0.key < $1.key }) {
            guard let parameter = parameters.first(where: { $0.name == name }) else {
                let known = parameters.map(\.name)
                throw ParameterError(name: name, message: "is not declared by playbook '\(self.name)'"
                                     + (known.isEmpty ? " (it has no parameters)" : suggestion(name, known) + " (known: \(known.joined(separator: ", ")))"))
            }
            switch parameter.value(from: text) {
            case .success(let value): values[name] = value
            case .failure(let error): throw error
            }
        }
        return values
    }

    static func sha256Hex(_ data: Data) -> String {
        NumberText.hex(SHA256.hash(data: data))
    }
}

/// How to tell, after the actions, whether the host is well again.
public struct Verification: Sendable {
    /// Wait this long after the last action before checking (counters settle, logs quiet down).
    public var delay: Duration
    /// Holds when the host is healthy. When nil, detection is evaluated again with log
    /// windows starting after the actions, and "not firing" means remediated.
    public var healthy: Predicate?

    public init(delay: Duration, healthy: Predicate?) {
        self.delay = delay
        self.healthy = healthy
    }
}

extension Dictionary where Key == String, Value == ParameterValue {
    /// The numeric values, for expression evaluation.
    public var numericValues: [String: Double] { compactMapValues(\.number) }
}
