import Foundation
import Testing
@testable import CtfixCore

/// The routing config is validated like a playbook: every error with file:line:col, unknown keys
/// with a suggestion, all errors at once, nothing started on a bad file.
@Suite final class ServeConfigTests {
    let directory: String

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ctfix-serve-config-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try "s3cret-token\n".write(toFile: directory + "/token", atomically: true, encoding: .utf8)
        try "pw\n".write(toFile: directory + "/password", atomically: true, encoding: .utf8)
        for name in ["token", "password"] { try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: directory + "/" + name) }
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    var playbook: String { ExampleHosts.playbookPath("table-full") }

    func parse(_ text: String) throws(DiagnosticError) -> ServeConfig {
        try ServeConfigLoader.parse(text, file: "routes.yaml", directory: directory)
    }

    func errors(_ text: String) -> [String] {
        do {
            _ = try parse(text)
            return []
        } catch {
            return error.diagnostics.map(\.description)
        }
    }

    @Test func theShippedExampleLoads() throws {
        // git keeps no mode but x: a clone's token is 0644, which serve refuses (docs/serve.md says chmod 600).
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: "\(ExampleHosts.packageRoot)/examples/serve/token")
        let config = try ServeConfigLoader.load(path: "\(ExampleHosts.packageRoot)/examples/serve/routes.yaml")
        #expect(config.path == "/alerts")
        #expect(config.auth == .bearer(token: "example-token-change-me-0123456789abcdef"))
        #expect(config.routes.map(\.playbookName) == ["table-full", "table-full"])
        #expect(config.routes[0].mode == .unattended)
        #expect(config.routes[0].cooldown == .seconds(1800))
        #expect(config.budget == AttemptBudget(attempts: 3, per: .seconds(3600)))
    }

    @Test func aFullConfigIsRead() throws {
        let config = try parse("""
        version: 1
        path: /hooks/ctfix
        max_body_bytes: 4096
        auth:
          basic_auth: {username: am, password_file: password}
        host: {labels: [node], name: web1}
        routes:
          - match: {alertname: ConntrackTableFull}
            match_re: {severity: 'crit.*'}
            playbook: \(playbook)
            mode: dry-run
            set: {usage_threshold: "{{ .Labels.threshold }}"}
        """)
        #expect(config.path == "/hooks/ctfix")
        #expect(config.maxBodyBytes == 4096)
        #expect(config.auth == .basic(username: "am", password: "pw"))
        #expect(config.host == HostAlertFilter(labels: ["node"], hostName: "web1"))
        #expect(config.routes[0].name == "route 1")
        #expect(config.routes[0].matchers.map(\.description) == ["alertname=\"ConntrackTableFull\"", "severity=~\"crit.*\""])
        #expect(config.routes[0].parameters["usage_threshold"]?.parts == [.label("threshold")])
    }

    @Test func unknownKeysAreErrorsWithTheirPlaceAndASuggestion() {
        let found = errors("""
        version: 1
        auth: {bearer_token_file: token}
        routes:
          - match: {alertname: X}
            playbok: \(playbook)
            mode: dry-run
        """)
        #expect(found.contains("routes.yaml:5:5: error: unknown key 'playbok' in routes[0] (did you mean 'playbook'?)"))
        #expect(found.contains("routes.yaml:4:5: error: routes[0] is missing required key 'playbook'"))
    }

    @Test func everyErrorOfAFileIsReportedAtOnce() {
        let found = errors("""
        version: 2
        path: alerts
        max_body_bytes: 10
        auth: {bearer_token_file: missing-token}
        routes:
          - match_re: {severity: '(unclosed'}
            playbook: \(playbook)
            mode: sometimes
            allow_destructive: yes
            set: {usage_treshold: "{{ .Labels.x }}", max_ceiling: "{{ .Lables.x }}"}
        """)
        #expect(found.contains { $0.hasPrefix("routes.yaml:1:10: error: unsupported serve config version 2") })
        #expect(found.contains { $0.hasPrefix("routes.yaml:2:7: error: path must start with '/'") })
        #expect(found.contains { $0.hasPrefix("routes.yaml:3:17: error: max_body_bytes must be between 1024") })
        #expect(found.contains { $0.hasPrefix("routes.yaml:4:27: error: auth.bearer_token_file: cannot read '\(directory)/missing-token'") })
        #expect(found.contains { $0.hasPrefix("routes.yaml:6:26: error: routes[0].match_re.severity is not a valid regular expression") })
        #expect(found.contains("routes.yaml:8:11: error: routes[0].mode must be dry-run or unattended, found 'sometimes'"))
        #expect(found.contains { $0.hasPrefix("routes.yaml:9:24: error: routes[0].allow_destructive must be true or false") })
        #expect(found.contains("routes.yaml:10:11: error: routes[0].set: playbook table-full has no parameter 'usage_treshold' (did you mean 'usage_threshold'?)"))
        #expect(found.contains { $0.hasPrefix("routes.yaml:10:") && $0.contains("unknown field '.Lables'") })
    }

    @Test func aRouteNeedsAMatcherAndAPlaybookThatLoads() {
        let found = errors("""
        version: 1
        routes:
          - playbook: no-such-playbook-anywhere
            mode: dry-run
        """)
        #expect(found.contains { $0.hasPrefix("routes.yaml:3:5: error: routes[0] needs 'match' or 'match_re'") })
        #expect(found.contains { $0.hasPrefix("routes.yaml:3:15: error: routes[0].playbook: no playbook 'no-such-playbook-anywhere'") })
    }

    @Test func authTakesOneKindAndEmptySecretsAreRefused() throws {
        try "\n".write(toFile: directory + "/empty", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: directory + "/empty")
        let both = errors("""
        version: 1
        auth: {bearer_token_file: token, basic_auth: {username: a, password_file: password}}
        routes: [{match: {a: b}, playbook: \(playbook), mode: dry-run}]
        """)
        #expect(both.contains("routes.yaml:2:7: error: auth takes bearer_token_file or basic_auth, not both"))
        let empty = errors("""
        version: 1
        auth: {bearer_token_file: empty}
        routes: [{match: {a: b}, playbook: \(playbook), mode: dry-run}]
        """)
        #expect(empty.contains("routes.yaml:2:27: error: auth.bearer_token_file: '\(directory)/empty' is empty"))
    }

    @Test func aSecretFileOthersCanReadOrWriteIsRefusedWithTheChmod() throws {
        for (mode, name) in [(0o644, "readable"), (0o620, "groupwritable"), (0o602, "otherwritable")] {
            try "s3cret\n".write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: directory + "/" + name)
            let found = errors("""
            version: 1
            auth: {bearer_token_file: \(name)}
            routes: [{match: {a: b}, playbook: \(playbook), mode: dry-run}]
            """)
            #expect(found.contains { $0.hasPrefix("routes.yaml:2:27: error: auth.bearer_token_file: '\(directory)/\(name)' has mode \(String(mode, radix: 8))") && $0.hasSuffix("run: chmod 600 '\(directory)/\(name)'") }, "\(found)")
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: directory + "/token")
        #expect(try parse("version: 1\nauth: {bearer_token_file: token}\nroutes: [{match: {a: b}, playbook: \(playbook), mode: dry-run}]").auth != nil,
                "group-readable (shared with Alertmanager's group) is accepted")
    }

    @Test func aSecretPathThatIsAFIFOALinkADeviceOrHugeIsRefusedWithoutBlocking() throws {
        // A FIFO planted at the token path used to hang start-up (the read waited for a writer).
        #expect(mkfifo(directory + "/fifo", 0o600) == 0)
        try FileManager.default.createSymbolicLink(atPath: directory + "/link", withDestinationPath: directory + "/token")
        try FileManager.default.createSymbolicLink(atPath: directory + "/zero", withDestinationPath: "/dev/zero")
        try String(repeating: "x", count: SecretFile.maximumBytes + 1).write(toFile: directory + "/huge", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: directory + "/huge")
        let cases = [("fifo", "is not a regular file"), ("zero", "is not a regular file"),
                     ("/dev/zero", "is not a regular file"),
                     ("huge", "bytes; a secret file holds at most \(SecretFile.maximumBytes)"), ("missing", "cannot read")]
        for (name, message) in cases {
            let found = errors("""
            version: 1
            auth: {bearer_token_file: \(name)}
            routes: [{match: {a: b}, playbook: \(playbook), mode: dry-run}]
            """)
            #expect(found.contains { $0.hasPrefix("routes.yaml:2:27: error: auth.bearer_token_file: ") && $0.contains(message) }, "\(name): \(found)")
        }
        // A link to a proper secret (how Kubernetes mounts one) is followed; the file it reaches is judged.
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: directory + "/token")
        #expect(try parse("version: 1\nauth: {bearer_token_file: link}\nroutes: [{match: {a: b}, playbook: \(playbook), mode: dry-run}]").auth != nil)
    }

    @Test func aRouteMaySetOnlyAParameterThePlaybookDeclaresSettableFromAlerts() throws {
        let found = errors("""
        version: 1
        routes:
          - match: {alertname: X}
            playbook: \(playbook)
            mode: unattended
            set: {max_ceiling: "{{ .Labels.ceiling }}", usage_threshold: "{{ .Labels.threshold }}"}
        """)
        #expect(found.count == 1)
        #expect(found.contains { $0.hasPrefix("routes.yaml:6:11: error: routes[0].set: parameter 'max_ceiling' of playbook table-full is not settable from alerts") })
    }

    @Test func limitsAreReadAndBounded() throws {
        let config = try parse("""
        version: 1
        limits: {max_connections: 128, idle_timeout: 5s, body_timeout: 20s, max_alerts: 200}
        routes: [{match: {a: b}, playbook: \(playbook), mode: dry-run}]
        """)
        #expect(config.maxConnections == 128)
        #expect(config.idleTimeout == .seconds(5))
        #expect(config.bodyTimeout == .seconds(20))
        #expect(config.payloadLimits.maxAlerts == 200)
        let found = errors("""
        version: 1
        limits: {max_connections: 100000, idle_timeout: 10m}
        routes: [{match: {a: b}, playbook: \(playbook), mode: dry-run}]
        """)
        #expect(found.count == 2, "\(found)")
        #expect(found.contains { $0.contains("limits.idle_timeout must be between 1s and 5m, found 10m") }, "\(found)")
    }

    @Test func fromAlertsIsOnlyForNumbersWithADirection() {
        func loadErrors(_ declaration: String) -> [String] {
            let text = """
            version: 1
            name: p
            summary: s
            parameters:
              x: \(declaration)
            detect: {value: {sysctl: [net.a], above: 1}}
            actions: []
            """
            do { _ = try PlaybookLoader.parse(text, file: "p.yaml"); return [] } catch { return error.diagnostics.map(\.message) }
        }
        #expect(loadErrors("{type: string, default: a, description: d, from_alerts: {stricter_when: above}}")
            .contains { $0.contains("only number, integer, share and duration parameters can be set from alerts") })
        #expect(loadErrors("{default: 1, description: d, from_alerts: {stricter_when: higher}}")
            .contains { $0.contains("from_alerts.stricter_when must be above or below, found 'higher'") })
        #expect(loadErrors("{default: 1, description: d, from_alerts: {}}").contains { $0.contains("stricter_when") })
    }

    @Test func noAuthParsesButIsNil() throws {
        let config = try parse("""
        version: 1
        routes: [{match: {a: b}, playbook: \(playbook), mode: dry-run}]
        """)
        #expect(config.auth == nil)
    }

    @Test func aMissingFileSaysSo() {
        #expect(throws: DiagnosticError.self) { try ServeConfigLoader.load(path: directory + "/nope.yaml") }
        do {
            _ = try ServeConfigLoader.load(path: directory + "/nope.yaml")
        } catch {
            #expect(error.description == "\(directory)/nope.yaml:1:1: error: serve config no such file")
        }
    }
}
