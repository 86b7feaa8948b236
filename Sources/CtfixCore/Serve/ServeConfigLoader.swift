import Foundation

/// Reads and validates a `ctfix serve` routing config. Errors print as playbook errors do
/// (`file:line:col: error: message`, unknown keys with did-you-mean), all of a file at once.
/// Relative paths (playbooks, secret files) are taken relative to the config file's directory.
public enum ServeConfigLoader {
    public static let formatVersion = 1

    /// Loads a config from a path on this machine. Secrets are read here so a missing token file
    /// stops start-up instead of failing every request. The config decides which playbooks run
    /// unattended, so as root it is judged as a playbook is (`PlaybookTrust`), and so is every
    /// playbook a route names.
    public static func load(path: String, environment: [String: String] = [:],
                            trust: PlaybookTrust = .process()) throws(DiagnosticError) -> ServeConfig {
        let data: Data
        do {
            data = try trust.read(path)
        } catch {
            let reason = switch error {
            case .notFound: "serve config no such file"
            case .notAFile: "serve config is not a regular file"
            case .unreadable(let why): "serve config cannot be read (\(why))"
            case .untrusted(let violation): violation.description.replacingOccurrences(of: "untrusted playbook:", with: "untrusted serve config:")
            }
            throw DiagnosticError([Diagnostic(file: path, line: 1, column: 1, message: reason)])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw DiagnosticError([Diagnostic(file: path, line: 1, column: 1, message: "serve config is not valid UTF-8 text")])
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return try parse(text, file: path, directory: directory, environment: environment, trust: trust)
    }

    /// Parses config text; `directory` anchors relative paths; routes' playbooks load under `trust`.
    public static func parse(_ text: String, file: String, directory: String, environment: [String: String] = [:],
                             trust: PlaybookTrust = .process()) throws(DiagnosticError) -> ServeConfig {
        let root = try YAMLDocumentParser.parse(text, file: file)
        var scope = ParseScope(file: file)
        let context = Context(directory: directory, locator: PlaybookLocator.standard(environment: environment), trust: trust)
        let config = parse(root, scope: &scope, context: context)
        if scope.hasErrors || config == nil {
            throw DiagnosticError(scope.diagnostics.isEmpty
                ? [Diagnostic(file: file, line: 1, column: 1, message: "invalid serve config")] : scope.diagnostics)
        }
        return config!
    }

    struct Context {
        var directory: String
        var locator: PlaybookLocator
        var trust: PlaybookTrust

        func absolute(_ path: String) -> String {
            path.hasPrefix("/") ? path : URL(fileURLWithPath: directory).appendingPathComponent(path).standardized.path
        }
    }

    static func parse(_ root: YAMLNode, scope: inout ParseScope, context: Context) -> ServeConfig? {
        guard let top = MappingReader(root, "the serve config", scope: &scope) else { return nil }
        var config = ServeConfig()
        if let node = top.required("version", scope: &scope), let version = scope.integer(node, "version"),
           version != formatVersion {
            scope.error(node, "unsupported serve config version \(version); this ctfix reads version \(formatVersion)")
        }
        if let node = top.optional("path"), let path = scope.nonEmptyString(node, "path") {
            if !path.hasPrefix("/") || path.contains(" ") || path == "/healthz" || path == "/metrics" {
                scope.error(node, "path must start with '/', contain no spaces and not be /healthz or /metrics, found '\(path)'")
            }
            config.path = path
        }
        if let node = top.optional("max_body_bytes"),
           let bytes = scope.integer(node, "max_body_bytes", in: 1024...(64 << 20)) {
            config.maxBodyBytes = bytes
        }
        if let node = top.optional("auth") { config.auth = parseAuth(node, scope: &scope, context: context) }
        if let node = top.optional("host") { config.host = parseHost(node, scope: &scope) }
        if let node = top.optional("budget"), let reader = MappingReader(node, "'budget'", scope: &scope) {
            if let n = reader.optional("attempts"), let value = scope.integer(n, "budget.attempts", in: 1...1000) {
                config.budget.attempts = value
            }
            if let n = reader.optional("per"), let value = scope.duration(n, "budget.per") { config.budget.per = value }
            reader.finish(scope: &scope)
        }
        if let node = top.optional("limits") { parseLimits(node, into: &config, scope: &scope) }
        if let node = top.required("routes", scope: &scope), let items = scope.list(node, "routes") {
            if items.isEmpty { scope.error(node, "routes must not be empty") }
            for (index, item) in items.enumerated() {
                if let route = ServeRouteParser.parse(item, index: index, scope: &scope, context: context) {
                    config.routes.append(route)
                }
            }
        }
        top.finish(scope: &scope)
        return config
    }

    static func parseAuth(_ node: YAMLNode, scope: inout ParseScope, context: Context) -> WebhookCredentials? {
        guard let reader = MappingReader(node, "'auth'", scope: &scope) else { return nil }
        defer { reader.finish(scope: &scope) }
        let bearer = reader.optional("bearer_token_file")
        let basic = reader.optional("basic_auth")
        switch (bearer, basic) {
        case (nil, nil):
            scope.error(node, "auth needs bearer_token_file or basic_auth")
            return nil
        case (.some, .some):
            scope.error(node, "auth takes bearer_token_file or basic_auth, not both")
            return nil
        case (let file?, nil):
            guard let token = readSecret(file, "auth.bearer_token_file", scope: &scope, context: context) else { return nil }
            return .bearer(token: token)
        case (nil, let basicNode?):
            guard let basicReader = MappingReader(basicNode, "'auth.basic_auth'", scope: &scope) else { return nil }
            defer { basicReader.finish(scope: &scope) }
            let username = basicReader.required("username", scope: &scope).flatMap { scope.nonEmptyString($0, "auth.basic_auth.username") }
            let password = basicReader.required("password_file", scope: &scope)
                .flatMap { readSecret($0, "auth.basic_auth.password_file", scope: &scope, context: context) }
            if let username, username.contains(":") { scope.error(basicNode, "auth.basic_auth.username must not contain ':'") }
            guard let username, let password else { return nil }
            return .basic(username: username, password: password)
        }
    }

    /// A secret file's content without the trailing newline (`SecretFile` says what is refused).
    static func readSecret(_ node: YAMLNode, _ what: String, scope: inout ParseScope, context: Context) -> String? {
        guard let path = scope.nonEmptyString(node, what) else { return nil }
        switch SecretFile.read(context.absolute(path)) {
        case .success(let secret): return secret
        case .failure(let failure):
            scope.error(node, "\(what): \(failure)")
            return nil
        }
    }

    /// `limits:` — per-connection timeouts, the connection cap and alerts per body (docs/serve.md, "Limits").
    static func parseLimits(_ node: YAMLNode, into config: inout ServeConfig, scope: inout ParseScope) {
        guard let reader = MappingReader(node, "'limits'", scope: &scope) else { return }
        if let n = reader.optional("max_connections"), let value = scope.integer(n, "limits.max_connections", in: 1...4096) {
            config.maxConnections = value
        }
        if let n = reader.optional("max_alerts"), let value = scope.integer(n, "limits.max_alerts", in: 1...10000) {
            config.payloadLimits.maxAlerts = value
        }
        for key in ["idle_timeout", "body_timeout"] {
            guard let n = reader.optional(key), let value = scope.duration(n, "limits.\(key)") else { continue }
            guard value >= .seconds(1), value <= .seconds(300) else {
                scope.error(n, "limits.\(key) must be between 1s and 5m, found \(DurationText.format(value))")
                continue
            }
            if key == "idle_timeout" { config.idleTimeout = value } else { config.bodyTimeout = value }
        }
        reader.finish(scope: &scope)
    }

    static func parseHost(_ node: YAMLNode, scope: inout ParseScope) -> HostAlertFilter {
        var filter = HostAlertFilter()
        guard let reader = MappingReader(node, "'host'", scope: &scope) else { return filter }
        if let n = reader.optional("labels"), let labels = scope.stringList(n, "host.labels") { filter.labels = labels }
        if let n = reader.optional("name"), let name = scope.nonEmptyString(n, "host.name") { filter.hostName = name }
        if let n = reader.optional("aliases"), let aliases = scope.stringList(n, "host.aliases") { filter.aliases = aliases }
        reader.finish(scope: &scope)
        return filter
    }
}
