/// Parses the `parameters:` mapping: name → {type, default, description, minimum, maximum}.
enum ParameterParser {
    static func parse(_ node: YAMLNode, scope: inout ParseScope) -> [Parameter] {
        guard case .mapping(let pairs) = node.value else {
            scope.error(node, "'parameters' must be a mapping of name to declaration, found \(node.kindDescription)")
            return []
        }
        guard pairs.count <= ParseLimits.maximumParameters else {
            scope.error(node, "'parameters' declares \(pairs.count) parameters, more than the limit of \(ParseLimits.maximumParameters)")
            return []
        }
        var result: [Parameter] = []
        for pair in pairs {
            guard let name = pair.key.scalar else { continue }
            guard CompiledPattern.ownPatternMatches("^[a-z_][a-z0-9_]{0,62}$", name) else {
                scope.error(pair.key, "parameter name '\(Parameter.shown(name))' must be lowercase letters, digits and '_' (at most 63 characters)")
                continue
            }
            guard let reader = MappingReader(pair.value, "parameter '\(name)'", scope: &scope) else { continue }
            var type = Parameter.ValueType.number
            if let typeNode = reader.optional("type"), let text = scope.string(typeNode, "type") {
                if let parsed = Parameter.ValueType(rawValue: text) { type = parsed } else {
                    scope.error(typeNode, "parameter type must be one of: \(Parameter.ValueType.allCases.map(\.rawValue).joined(separator: ", ")); found '\(text)'")
                }
            }
            let description = reader.required("description", scope: &scope).flatMap { scope.nonEmptyString($0, "description") } ?? ""
            let isDuration = type == .duration
            let minimum = isDuration ? durationBound(reader.optional("minimum"), "minimum", scope: &scope)
                : bound(reader.optional("minimum"), "minimum", scope: &scope)
            let maximum = isDuration ? durationBound(reader.optional("maximum"), "maximum", scope: &scope)
                : bound(reader.optional("maximum"), "maximum", scope: &scope)
            if let minimum, let maximum, minimum > maximum, let node = reader.optional("maximum") {
                let shown = { (value: Double) in isDuration ? DurationText.format(.milliseconds(Int64(value * 1000))) : formatNumber(value) }
                scope.error(node, "maximum (\(shown(maximum))) is below minimum (\(shown(minimum)))")
            }
            var parameter = Parameter(name: name, type: type, defaultValue: .string(""), description: description,
                                      minimum: minimum, maximum: maximum)
            if let defaultNode = reader.required("default", scope: &scope) {
                if let text = defaultNode.scalar, !defaultNode.isNull {
                    switch parameter.value(from: text) {
                    case .success(let value): parameter.defaultValue = value
                    case .failure(let error): scope.error(defaultNode, "default: \(error)")
                    }
                } else {
                    scope.error(defaultNode, "default of parameter '\(name)' must be a scalar, found \(defaultNode.kindDescription)")
                }
            }
            if let node = reader.optional("from_alerts") {
                parameter.fromAlerts = fromAlerts(node, parameter, scope: &scope)
            }
            reader.finish(scope: &scope)
            result.append(parameter)
        }
        return result
    }

    /// Number parameters used in a ratio threshold are shares (`ParseScope.shareParameters`):
    /// their default is checked as one, at its own place, and so is every `--set` value.
    static func promoteShares(_ parameters: inout [Parameter], declarations node: YAMLNode?, scope: inout ParseScope) {
        for index in parameters.indices where parameters[index].type == .number && scope.shareParameters.contains(parameters[index].name) {
            parameters[index].type = .share
            guard case .mapping(let pairs)? = node?.value,
                  let declaration = pairs.first(where: { $0.key.scalar == parameters[index].name })?.value,
                  case .mapping(let fields) = declaration.value,
                  let defaultNode = fields.first(where: { $0.key.scalar == "default" })?.value,
                  let text = defaultNode.scalar else { continue }
            if case .failure(let error) = parameters[index].value(from: text) {
                scope.error(defaultNode, "default: \(error) (it is used as a ratio threshold)")
            }
        }
    }

    /// `from_alerts: {stricter_when: above|below}`: only numbers, integers and durations have a side.
    private static func fromAlerts(_ node: YAMLNode, _ parameter: Parameter, scope: inout ParseScope) -> Parameter.AlertDirection? {
        guard let reader = MappingReader(node, "parameter '\(parameter.name)'.from_alerts", scope: &scope) else { return nil }
        defer { reader.finish(scope: &scope) }
        guard let n = reader.required("stricter_when", scope: &scope), let text = scope.string(n, "from_alerts.stricter_when") else { return nil }
        guard let direction = Parameter.AlertDirection(rawValue: text) else {
            scope.error(n, "from_alerts.stricter_when must be above or below, found '\(text)'")
            return nil
        }
        guard [.number, .integer, .duration, .share].contains(parameter.type) else {
            scope.error(node, "parameter '\(parameter.name)' is a \(parameter.type.rawValue): only number, integer, share and duration parameters can be set from alerts")
            return nil
        }
        return direction
    }

    /// A duration parameter's bound, written as a duration (`minimum: 1m`), held in seconds.
    private static func durationBound(_ node: YAMLNode?, _ what: String, scope: inout ParseScope) -> Double? {
        guard let node else { return nil }
        if case .scalar(let text, _) = node.value, !text.isEmpty, text.allSatisfy({ $0.isNumber }) {
            scope.error(node, "\(what) of a duration parameter is a duration such as 30s or 15m, found \(node.kindDescription)")
            return nil
        }
        return scope.duration(node, what, allowZero: true).map(\.seconds)
    }

    private static func bound(_ node: YAMLNode?, _ what: String, scope: inout ParseScope) -> Double? {
        guard let node else { return nil }
        guard let expression = scope.expression(node, what) else { return nil }
        guard let value = expression.constantValue else {
            scope.error(node, "\(what) must be a constant")
            return nil
        }
        return value
    }
}
