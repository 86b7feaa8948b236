/// A route parameter's value built from the alert: literal text with `{{ .Labels.NAME }}` and
/// `{{ .Annotations.NAME }}` placeholders (the subset of Alertmanager's template syntax that
/// reads a field). Parsed at load time so a typo is a config error, not a failed run.
public struct AlertTemplate: Sendable, Equatable, CustomStringConvertible {
    public enum Part: Sendable, Equatable {
        case text(String)
        case label(String)
        case annotation(String)
    }

    public var parts: [Part]
    public let source: String

    /// Why a template does not parse, with the 0-based offset in the text.
    public struct ParseError: Error, Equatable {
        public var offset: Int
        public var message: String
    }

    public init(parsing source: String) throws(ParseError) {
        self.source = source
        guard source.utf8.count <= ParseLimits.maximumTemplateBytes else {
            throw ParseError(offset: 0, message: "\(source.utf8.count) bytes, more than the limit of \(ParseLimits.maximumTemplateBytes)")
        }
        var parts: [Part] = []
        var substitutions = 0
        var rest = Substring(source)
        while let open = rest.range(of: "{{") {
            if open.lowerBound > rest.startIndex { parts.append(.text(String(rest[..<open.lowerBound]))) }
            let offset = source.distance(from: source.startIndex, to: open.lowerBound)
            substitutions += 1
            guard substitutions <= ParseLimits.maximumSubstitutions else {
                throw ParseError(offset: offset, message: "more than \(ParseLimits.maximumSubstitutions) {{ … }} placeholders")
            }
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                throw ParseError(offset: offset, message: "'{{' is not closed by '}}'")
            }
            let inner = rest[open.upperBound..<close.lowerBound].trimmed(.whitespaces)
            let fields = inner.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
            guard inner.hasPrefix("."), fields.count == 2 else {
                throw ParseError(offset: offset, message: "'{{ \(inner) }}' is not '{{ .Labels.NAME }}' or '{{ .Annotations.NAME }}'")
            }
            let path = fields[1].split(separator: ".", maxSplits: 1).map(String.init)
            guard path.count == 2, !path[1].isEmpty, path[1].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                throw ParseError(offset: offset, message: "'{{ \(inner) }}' must name one field: '{{ .Labels.NAME }}' or '{{ .Annotations.NAME }}'")
            }
            switch path[0] {
            case "Labels": parts.append(.label(path[1]))
            case "Annotations": parts.append(.annotation(path[1]))
            default:
                throw ParseError(offset: offset, message: "unknown field '.\(path[0])' (only .Labels and .Annotations)")
            }
            rest = rest[close.upperBound...]
        }
        if !rest.isEmpty { parts.append(.text(String(rest))) }
        self.parts = parts
    }

    /// The value for one alert, or the name of the first missing field (`Labels.threshold`).
    /// A value longer than `ParseLimits.maximumValueBytes` is refused (`field` is then
    /// `tooLong`): it could never be a valid parameter value and would only cost work later.
    public func render(labels: [String: String], annotations: [String: String]) -> Result<String, MissingField> {
        switch renderUnbounded(labels: labels, annotations: annotations) {
        case .success(let text) where text.utf8.count > ParseLimits.maximumValueBytes:
            return .failure(MissingField(field: MissingField.tooLong))
        case let other: return other
        }
    }

    private func renderUnbounded(labels: [String: String], annotations: [String: String]) -> Result<String, MissingField> {
        var text = ""
        for part in parts {
            switch part {
            case .text(let literal): text += literal
            case .label(let name):
                guard let value = labels[name] else { return .failure(MissingField(field: "Labels.\(name)")) }
                text += value
            case .annotation(let name):
                guard let value = annotations[name] else { return .failure(MissingField(field: "Annotations.\(name)")) }
                text += value
            }
        }
        return .success(text)
    }

    public struct MissingField: Error, Equatable {
        public var field: String
        /// `field` of a rendered value beyond `ParseLimits.maximumValueBytes`.
        public static let tooLong = "(too long)"
    }

    public var description: String { source }
}
