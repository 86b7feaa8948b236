import Foundation
import Testing
@testable import CtfixCore

/// The HTTP-independent pieces of `ctfix serve`: payload decoding, matchers, host filtering,
/// parameter templates and the secret comparison.
@Suite struct ServeAlertTests {
    static let alertmanagerBody = """
    {"receiver":"ctfix","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"ConntrackTableFull",
    "instance":"server:9100","severity":"critical"},"annotations":{"summary":"table full"},
    "startsAt":"2026-11-22T03:12:40.123Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://prom/graph",
    "fingerprint":"1a30ba71cca2921f"}],"groupLabels":{"alertname":"ConntrackTableFull"},
    "commonLabels":{"alertname":"ConntrackTableFull"},"commonAnnotations":{},"externalURL":"http://am:9093",
    "version":"4","groupKey":"{}:{alertname=\\"ConntrackTableFull\\"}","truncatedAlerts":0}
    """

    @Test func alertmanagersVersion4PayloadDecodes() throws {
        let payload = try WebhookPayload.decode(Data(Self.alertmanagerBody.utf8))
        #expect(payload.version == "4")
        #expect(payload.receiver == "ctfix")
        #expect(payload.truncatedAlerts == 0)
        #expect(payload.alerts.count == 1)
        let alert = payload.alerts[0]
        #expect(alert.status == .firing)
        #expect(alert.fingerprint == "1a30ba71cca2921f")
        #expect(alert.startsAt == "2026-11-22T03:12:40.123Z")
        #expect(alert.labels["instance"] == "server:9100")
        #expect(alert.name == "ConntrackTableFull")
    }

    // Deliberately changed (issue 8): `status` is now required on the body and every alert.
    @Test func unknownAndMissingOptionalFieldsAreFine() throws {
        let body = #"{"status":"firing","notification_reason":"new","future":{"x":[1,2]},"alerts":[{"status":"firing","labels":{"alertname":"A"},"extra":true}]}"#
        let payload = try WebhookPayload.decode(Data(body.utf8))
        #expect(payload.status == .firing)
        #expect(payload.alerts[0].startsAt == "")
        #expect(payload.alerts[0].fingerprint == WebhookAlert.fingerprint(of: ["alertname": "A"]))
        #expect(payload.alerts[0].fingerprint.count == 16)
    }

    @Test func malformedJSONNamesThePlace() {
        #expect(throws: PayloadError.self) { try WebhookPayload.decode(Data("{\"alerts\": [".utf8)) }
        do {
            _ = try WebhookPayload.decode(Data(#"{"status":"firing","alerts":[{"status":"firing","labels":{"a":1}}]}"#.utf8))
            Issue.record("decoded a label that is a number")
        } catch {
            #expect(error.message.hasPrefix("$.alerts[0].labels.a: expected a string"))
        }
        do {
            _ = try WebhookPayload.decode(Data(#"{"status":"firing"}"#.utf8))
            Issue.record("decoded a payload without alerts")
        } catch {
            #expect(error.message == "the body: missing required field 'alerts'")
        }
        do {
            _ = try WebhookPayload.decode(Data("{\n\"alerts\": [}".utf8))
            Issue.record("decoded broken JSON")
        } catch {
            #expect(error.message.contains("not valid JSON"))
            #expect(error.message.contains("line 2"))
        }
    }

    @Test func equalityAndWholeValueRegexMatchers() throws {
        let labels = ["alertname": "ConntrackTableFull", "severity": "critical"]
        #expect(LabelMatcher(label: "alertname", kind: .equal("ConntrackTableFull")).matches(labels))
        #expect(!LabelMatcher(label: "alertname", kind: .equal("conntracktablefull")).matches(labels))
        #expect(try LabelMatcher.regex("severity", "critical|page").matches(labels))
        #expect(try !LabelMatcher.regex("severity", "crit").matches(labels), "the regex must match the whole value")
        #expect(try LabelMatcher.regex("team", "").matches(labels), "a missing label is the empty string")
        #expect(throws: CompiledPattern.CompileError.self) { try LabelMatcher.regex("a", "(") }
    }

    @Test func hostFilterComparesTheFirstPresentLabelWithTheHostName() {
        let filter = HostAlertFilter()
        #expect(filter.rejection(of: ["instance": "server:9100"], host: "server") == nil)
        // Deliberately changed (issue 8): whole names only; a short name never matches an FQDN.
        #expect(filter.rejection(of: ["instance": "SERVER.example.com:9100"], host: "server") != nil)
        #expect(filter.rejection(of: ["instance": "server"], host: "server.example.com") != nil)
        #expect(filter.rejection(of: ["instance": "SERVER.example.com:9100"], host: "server.example.com") == nil)
        #expect(filter.rejection(of: ["instance": "http://server:9100/metrics"], host: "server") == nil)
        #expect(filter.rejection(of: ["nodename": "server"], host: "server") == nil)
        #expect(filter.rejection(of: ["instance": "web2:9100"], host: "server") == "instance=\"web2:9100\" is not this host (server)")
        #expect(filter.rejection(of: ["instance": "server.a.com"], host: "server.b.com") != nil)
        #expect(filter.rejection(of: ["instance": "web2:9100", "nodename": "server"], host: "server") != nil,
                "the first present label decides")
        #expect(filter.rejection(of: ["job": "node"], host: "server") == "the alert has none of the host labels instance, nodename")
        #expect(HostAlertFilter(labels: ["host"], hostName: "db1").rejection(of: ["host": "db1"], host: "server") == nil)
        #expect(HostAlertFilter.sameHost("[::1]:9100", "::1"))
    }

    @Test func templatesRenderLabelsAndAnnotationsAndNameWhatIsMissing() throws {
        let template = try AlertTemplate(parsing: "{{ .Labels.threshold }}%/{{.Annotations.max}}")
        #expect(template.render(labels: ["threshold": "85"], annotations: ["max": "9"]) == .success("85%/9"))
        #expect(template.render(labels: [:], annotations: [:]) == .failure(.init(field: "Labels.threshold")))
        #expect(throws: AlertTemplate.ParseError(offset: 2, message: "'{{' is not closed by '}}'")) {
            try AlertTemplate(parsing: "x {{ .Labels.a")
        }
        #expect(throws: AlertTemplate.ParseError.self) { try AlertTemplate(parsing: "{{ .Values.a }}") }
        #expect(throws: AlertTemplate.ParseError.self) { try AlertTemplate(parsing: "{{ .Labels }}") }
        #expect(try AlertTemplate(parsing: "plain").parts == [.text("plain")])
    }

    @Test func constantTimeCompare() {
        #expect(ConstantTime.equals("s3cret", "s3cret"))
        #expect(!ConstantTime.equals("s3cres", "s3cret"))
        #expect(!ConstantTime.equals("s3cret-longer", "s3cret"))
        #expect(!ConstantTime.equals("s3c", "s3cret"))
        #expect(!ConstantTime.equals("", "s3cret"))
        #expect(!ConstantTime.equals("", ""), "an empty secret never matches")
        #expect(!ConstantTime.equals("s3crets3cret", "s3cret"), "a repeated secret is not the secret")
    }

    @Test func credentialsCheckTheAuthorizationHeader() {
        let bearer = WebhookCredentials.bearer(token: "tok")
        #expect(bearer.accepts(authorization: "Bearer tok"))
        #expect(bearer.accepts(authorization: "bearer tok"))
        #expect(!bearer.accepts(authorization: "Bearer tak"))
        #expect(!bearer.accepts(authorization: "Basic dG9r"))
        #expect(!bearer.accepts(authorization: nil))
        #expect(!bearer.accepts(authorization: "Bearer"))
        let basic = WebhookCredentials.basic(username: "am", password: "pw")
        let good = Data("am:pw".utf8).base64EncodedString()
        #expect(basic.accepts(authorization: "Basic \(good)"))
        #expect(!basic.accepts(authorization: "Basic \(Data("am:px".utf8).base64EncodedString())"))
        #expect(!basic.accepts(authorization: "Basic \(Data("amx:pw".utf8).base64EncodedString())"))
        #expect(!basic.accepts(authorization: "Basic !!notbase64"))
        #expect(basic.challenge.hasPrefix("Basic realm="))
        #expect(bearer.challenge == "Bearer realm=\"ctfix\"")
    }
}
