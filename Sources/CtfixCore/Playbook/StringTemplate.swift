import Foundation

/// A string field that may use `${parameter}` (a service name, a command argument, a path),
/// checked against the declared parameters when the playbook is validated.
public struct StringTemplate: Sendable, Equatable, CustomStringConvertible {
    public let text: String
    /// Parameter names referenced, in order of appearance.
    public let references: [String]

    /// Nil with a message when a `${` is not closed or a name is empty.
    /// Refused beyond `ParseLimits.maximumTemplateBytes` or `maximumSubstitutions`; with string
    /// parameter values bounded by `maximumValueBytes`, a rendered template is bounded too.
    public static func parse(_ text: String) -> Result<StringTemplate, TemplateError> {
        guard text.utf8.count <= ParseLimits.maximumTemplateBytes else {
            return .failure(TemplateError(message: "\(text.utf8.count) bytes, more than the limit of \(ParseLimits.maximumTemplateBytes)"))
        }
        var references: [String] = []
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                return .failure(TemplateError(message: "'${' is not closed with '}'"))
            }
            let name = String(rest[start.upperBound..<end])
            guard CompiledPattern.ownPatternMatches("^[a-z_][a-z0-9_]*$", name) else {
                return .failure(TemplateError(message: "'${\(name)}' is not a parameter reference"))
            }
            references.append(name)
            guard references.count <= ParseLimits.maximumSubstitutions else {
                return .failure(TemplateError(message: "more than \(ParseLimits.maximumSubstitutions) ${…} references"))
            }
            rest = rest[rest.index(after: end)...]
        }
        return .success(StringTemplate(text: text, references: references))
    }

    private init(text: String, references: [String]) {
        self.text = text
        self.references = references
    }

    public var description: String { text }

    /// The text with every reference replaced by its parameter's value.
    public func render(_ parameters: [String: ParameterValue]) -> String {
        var result = text
        for name in Set(references) {
            result = result.replacingOccurrences(of: "${\(name)}", with: parameters[name]?.description ?? "")
        }
        return result
    }
}

extension ParseScope {
    /// A string that may reference parameters with `${name}`; undeclared names are errors.
    public mutating func template(_ node: YAMLNode, _ what: String) -> StringTemplate? {
        guard let text = nonEmptyString(node, what) else { return nil }
        switch StringTemplate.parse(text) {
        case .failure(let failure):
            error(node, "\(what): \(failure.message)")
            return nil
        case .success(let template):
            for name in template.references where !parameterNames.contains(name) {
                error(node, "\(what) refers to undeclared parameter '\(name)'" + suggestion(name, parameterNames))
                return nil
            }
            return template
        }
    }
}

/// Why a string template is malformed.
public struct TemplateError: Error, Sendable, Equatable {
    public var message: String
}
