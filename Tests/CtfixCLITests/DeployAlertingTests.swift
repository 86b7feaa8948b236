import CtfixCore
import Foundation
import Testing

/// The Prometheus rules and the Alertmanager receiver in `examples/deploy`: parsed
/// structurally always, and checked by promtool / amtool when the machine has them.
@Suite struct DeployAlertingTests {
    static let rules = "prometheus/conntrack.rules.yml"
    static let rulesTests = "prometheus/conntrack.rules.test.yml"
    static let alertmanager = "alertmanager/alertmanager.yml"

    static func rule(named alert: String) throws -> YAMLPath {
        let root = YAMLPath(file: rules, value: try DeployFiles.yaml(rules))
        for group in try root["groups"].list() {
            for rule in try group["rules"].list() where (try? rule["alert"].string()) == alert { return rule }
        }
        throw DeployFiles.NotAMapping(file: rules, path: "alert \(alert)")
    }

    @Test func nodeMixinRuleIsUnchanged() throws {
        let rule = try Self.rule(named: "NodeHighNumberConntrackEntriesUsed")
        #expect(try rule["expr"].string() == "(node_nf_conntrack_entries / node_nf_conntrack_entries_limit) > 0.75")
        #expect(try rule["labels"]["severity"].string() == "warning")
        #expect(!rule["labels"]["remediation"].exists, "the people's warning must not trigger ctfix")
    }

    @Test func ctfixRuleNamesAShippedPlaybookAtItsThreshold() throws {
        let rule = try Self.rule(named: "ConntrackTableNearlyFull")
        #expect(try rule["expr"].string() == "(node_nf_conntrack_entries / node_nf_conntrack_entries_limit) > 0.90")
        #expect(try rule["labels"]["remediation"].string() == "ctfix")
        let playbook = try rule["labels"]["ctfix_playbook"].string()
        let loaded = try PlaybookLoader.load(path: ExampleHostsPaths.playbook(playbook))
        // The alert fires where the playbook's own ratio predicate fires (default 90%).
        let threshold = try #require(loaded.parameters.first { $0.name == "usage_threshold" })
        #expect(threshold.defaultValue.number == 0.9)
    }

    /// examples/serve routes what the shipped rules send: every rule labelled for ctfix reaches a
    /// route of its playbook, and no route waits for a label no shipped rule sets (a route for
    /// `ConntrackTableFull` or one needing a `threshold` label would never run).
    @Test func examplesServeRoutesTheAlertsTheShippedRulesSend() throws {
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: PackagePaths.root.appendingPathComponent("examples/serve/token").path)
        let config = try ServeConfigLoader.load(path: PackagePaths.root.appendingPathComponent("examples/serve/routes.yaml").path)
        let root = YAMLPath(file: Self.rules, value: try DeployFiles.yaml(Self.rules))
        var sent: [[String: String]] = []
        for group in try root["groups"].list() {
            for rule in try group["rules"].list() {
                let labels = (rule["labels"].value as? [String: Any] ?? [:]).mapValues { "\($0)" }
                sent.append(labels.merging(["alertname": try rule["alert"].string(), "instance": "server:9100"]) { $1 })
            }
        }
        for alert in sent where alert["remediation"] == "ctfix" {
            let route = try #require(config.routes.first { $0.matches(alert) }, "no route takes \(alert)")
            #expect(route.playbookName == alert["ctfix_playbook"])
            #expect(route.mode == .unattended)
        }
        for route in config.routes {
            #expect(sent.contains { route.matches($0) }, "route \(route.name) matches no alert the shipped rules send")
            for template in route.parameters.values {
                for case .label(let label) in template.parts {
                    #expect(sent.allSatisfy { $0[label] != nil }, "route \(route.name) needs label \(label), which the rules do not set")
                }
            }
        }
    }

    @Test(.enabled(if: DeployTools.available("amtool"), "needs amtool (Debian package prometheus-alertmanager)"))
    func amtoolAcceptsTheServeExampleAsItStands() async throws {
        let path = PackagePaths.root.appendingPathComponent("examples/serve/alertmanager.yml").path
        let result = try await DeployTools.run([DeployTools.find("amtool")!, "check-config", path])
        #expect(result.exitStatus == 0, "\(result.standardOutput)\(result.standardError)")
        #expect(result.standardOutput.contains("SUCCESS"))
    }

    @Test func alertmanagerRoutesCtfixAlertsToAnAuthenticatedWebhook() throws {
        let config = YAMLPath(file: Self.alertmanager, value: try DeployFiles.yaml(Self.alertmanager))
        let route = try #require(try config["route"]["routes"].list().first {
            (try? $0["matchers"].strings())?.contains("remediation = \"ctfix\"") == true
        })
        let receiverName = try route["receiver"].string()
        #expect(route["continue"].value as? Bool == true, "people still get the alert")
        let receiver = try #require(try config["receivers"].list().first { (try? $0["name"].string()) == receiverName })
        let webhooks = try receiver["webhook_configs"].list()
        #expect(!webhooks.isEmpty)
        for webhook in webhooks {
            #expect(try webhook["url"].string().hasSuffix(":9095/alerts"))
            #expect(webhook["send_resolved"].value as? Bool == true)
            #expect(try webhook["http_config"]["authorization"]["type"].string() == "Bearer")
            #expect(try webhook["http_config"]["authorization"]["credentials_file"].string().hasPrefix("/etc/"))
        }
    }

    @Test(.enabled(if: DeployTools.available("amtool"), "needs amtool (Debian package prometheus-alertmanager)"))
    func amtoolAcceptsTheConfig() async throws {
        let result = try await DeployTools.run([DeployTools.find("amtool")!, "check-config", DeployFiles.path(Self.alertmanager)])
        #expect(result.exitStatus == 0, "\(result.standardOutput)\(result.standardError)")
        #expect(result.standardOutput.contains("SUCCESS"))
        #expect(result.standardOutput.contains("3 receivers"))
    }

    @Test(.enabled(if: DeployTools.available("amtool"), "needs amtool (Debian package prometheus-alertmanager)"))
    func amtoolRejectsAMisspeltKey() async throws {
        let directory = try DeployFiles.temporaryDirectory("ctfix-am")
        let broken = try DeployFiles.text(Self.alertmanager).replacingOccurrences(of: "credentials_file:", with: "credential_file:")
        try broken.write(toFile: "\(directory)/alertmanager.yml", atomically: true, encoding: .utf8)
        let result = try await DeployTools.run([DeployTools.find("amtool")!, "check-config", "\(directory)/alertmanager.yml"])
        #expect(result.exitStatus != 0)
        #expect((result.standardOutput + result.standardError).contains("credential_file"))
    }

    @Test(.enabled(if: DeployTools.available("promtool"), "needs promtool (scripts/test.sh unpacks Debian's prometheus package into .build/tools)"))
    func promtoolChecksAndUnitTestsTheRules() async throws {
        let promtool = DeployTools.find("promtool")!
        let check = try await DeployTools.run([promtool, "check", "rules", DeployFiles.path(Self.rules)])
        #expect(check.exitStatus == 0, "\(check.standardOutput)\(check.standardError)")
        #expect((check.standardOutput + check.standardError).contains("SUCCESS: 2 rules found"))
        // The rule tests: the seed's 16640/16640 fires ctfix's alert after 2m, 80% only warns.
        let tests = try await DeployTools.run([promtool, "test", "rules", Self.rulesTests], in: DeployFiles.directory.path)
        #expect(tests.exitStatus == 0, "\(tests.standardOutput)\(tests.standardError)")
    }
}
