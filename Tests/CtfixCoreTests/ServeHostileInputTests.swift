import Foundation
import Testing
@testable import CtfixCore

/// Hostile webhook bodies (issue 8), attacked without HTTP: strict JSON, explicit status,
/// payload limits, host matching, escaping. Each case is what an attacker who can post to
/// Alertmanager (unauthenticated by default) or to serve itself would send.
@Suite struct ServeHostileInputTests {
    func rejection(_ body: String) -> String? {
        do {
            _ = try WebhookPayload.decode(Data(body.utf8))
            return nil
        } catch {
            return error.message
        }
    }

    static let alert = #"{"status":"firing","labels":{"alertname":"X","instance":"app-12"},"startsAt":"2026-11-22T03:12:40Z"}"#

    @Test func trailingCommasDuplicateKeysAndOtherNonJSONAreRejectedWithLineAndColumn() {
        let cases: [(String, String)] = [
            (#"{"alerts":[{"labels":{"alertname":"X",}},]}"#, "line 1, column 39: not valid JSON: trailing comma before '}'"),
            ("{\"status\":\"firing\",\"alerts\":[\(Self.alert),]}", "trailing comma before ']'"),
            (#"{"status":"firing","status":"resolved","alerts":[]}"#, #"line 1, column 20: not valid JSON: duplicate key "status""#),
            ("{\"status\":\"firing\",\"alerts\":[{\"status\":\"firing\",\"labels\":{\"instance\":\"app-12\",\n\"instance\":\"evil\"}}]}",
             #"line 2, column 1: not valid JSON: duplicate key "instance""#),
            (#"{"status":"firing","alerts":[]} x"#, "unexpected text after the JSON value"),
            (#"{"status":"firing","alerts":[],"n":01}"#, "leading zero"),
            (#"{"status":"firing","alerts":[],"s":"\ud800"}"#, "lone surrogate"),
            ("{\"status\":\"firing\",\"alerts\":[],\"s\":\"\u{1}\"}", "control character in a string"),
            (#"{"status":"firing",'alerts':[]}"#, "expected a string key"),
            (#"{"status":"firing","alerts":[],}"#, "trailing comma before '}'"),
            (#"{"status":"firing","alerts":[,]}"#, "unexpected ','"),
            ("", "unexpected end of the body"),
            // Found by the webhook fuzz target: syntactically JSON, but Foundation cannot read it,
            // so it was refused only by the decoder, without a place.
            ("{\"status\":\"firing\",\"alerts\":[],\n\"n\":[1,-1e400]}", "line 2, column 8: not valid JSON: number out of range"),
            (#"{"status":"firing","alerts":[],"n":1E+309}"#, "number out of range"),
        ]
        for (body, expected) in cases {
            let message = rejection(body)
            #expect(message?.contains(expected) == true, "\(body): \(message ?? "accepted")")
        }
        let invalidUTF8 = Data(#"{"status":"firing","alerts":[],"s":""#.utf8) + Data([0xC0, 0xAF]) + Data(#""}"#.utf8)
        #expect(throws: PayloadError.self) { try WebhookPayload.decode(invalidUTF8) }
    }

    @Test func deepNestingIsRejectedWithoutRecursion() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(rejection(deep)?.contains("nested deeper than 16 levels") == true)
        let deepObject = "{\"status\":\"firing\",\"alerts\":[],\"x\":" + String(repeating: "{\"a\":", count: 50_000) + "1" + String(repeating: "}", count: 50_000) + "}"
        #expect(rejection(deepObject)?.contains("nested deeper than 16 levels") == true)
    }

    @Test func statusMustBeFiringOrResolvedOnTheBodyAndEveryAlert() {
        for status in ["bogus", "RESOLVED", "Firing", ""] {
            let body = "{\"status\":\"firing\",\"alerts\":[{\"status\":\"\(status)\",\"labels\":{\"alertname\":\"X\"}}]}"
            let message = rejection(body)
            #expect(message?.hasPrefix("$.alerts[0].status:") == true, "\(status): \(message ?? "accepted")")
            #expect(message?.contains("status must be \"firing\" or \"resolved\"") == true)
        }
        #expect(rejection(#"{"status":"bogus","alerts":[]}"#)?.hasPrefix("$.status:") == true)
        #expect(rejection(#"{"alerts":[]}"#) == "the body: missing required field 'status'")
        #expect(rejection(#"{"status":"firing","alerts":[{"labels":{"alertname":"X"}}]}"#) == "$.alerts[0]: missing required field 'status'")
        #expect(rejection(#"{"status":"firing","alerts":[{"status":1,"labels":{}}]}"#)?.hasPrefix("$.alerts[0].status:") == true)
    }

    @Test func bodiesBeyondTheLimitsAreRefusedNamingThePlace() {
        let many = "{\"status\":\"firing\",\"alerts\":[" + Array(repeating: Self.alert, count: 1001).joined(separator: ",") + "]}"
        #expect(rejection(many)?.hasPrefix("$.alerts: 1001 alerts, more than the limit of 1000") == true)
        let exactly = "{\"status\":\"firing\",\"alerts\":[" + Array(repeating: Self.alert, count: 1000).joined(separator: ",") + "]}"
        #expect(rejection(exactly) == nil)

        let labels = (0..<65).map { "\"l\($0)\":\"v\"" }.joined(separator: ",")
        #expect(rejection("{\"status\":\"firing\",\"alerts\":[{\"status\":\"firing\",\"labels\":{\(labels)}}]}")
            == "$.alerts[0].labels: 65 entries, more than the limit of 64")
        let dashes = String(repeating: "-", count: 60_000) + "0.5"
        #expect(rejection("{\"status\":\"firing\",\"alerts\":[{\"status\":\"firing\",\"labels\":{\"threshold\":\"\(dashes)\"}}]}")
            == "$.alerts[0].labels.threshold: value of 60003 bytes, more than the limit of 1024")
        let longName = String(repeating: "n", count: 129)
        #expect(rejection("{\"status\":\"firing\",\"alerts\":[{\"status\":\"firing\",\"labels\":{\"\(longName)\":\"v\"}}]}")?
            .contains("is empty or longer than 128 bytes") == true)
        #expect(rejection("{\"status\":\"firing\",\"alerts\":[{\"status\":\"firing\",\"labels\":{\"\":\"v\"}}]}")?
            .contains("is empty or longer than 128 bytes") == true)
    }

    @Test func hostMatchingComparesWholeNamesAndTheHostsOwnAddresses() {
        let filter = HostAlertFilter()
        func accepted(_ instance: String, host: String = "app-12", addresses: [String] = []) -> Bool {
            filter.rejection(of: ["instance": instance], host: host, addresses: addresses) == nil
        }
        // What was seen: the domain was dropped.
        #expect(!accepted("app-12.other.example"))
        #expect(!accepted("https://APP-12.evil.tld:443/x"))
        #expect(!accepted("app-12.example.com", host: "app-12.other.example"))
        #expect(!accepted("app-1"), "never a prefix")
        #expect(!accepted("app-123"))
        #expect(!accepted("evil@app-12.evil.tld"))
        // Whole names, either form, any case, scheme/port/path/user info/trailing dot stripped.
        #expect(accepted("app-12"))
        #expect(accepted("APP-12:9100"))
        #expect(accepted("https://user@App-12:443/metrics?x=1"))
        #expect(accepted("app-12.example.com.", host: "app-12.example.com"))
        #expect(HostAlertFilter(aliases: ["app-12.example.com"]).rejection(of: ["instance": "app-12.example.com:9100"], host: "app-12") == nil)
        // The host's own addresses match; others do not (IPv6 compared in binary form).
        let mine = ["127.0.0.1", "10.1.2.3", "fe80::1", "2001:db8::12"]
        #expect(accepted("10.1.2.3:9100", addresses: mine))
        #expect(accepted("http://[2001:DB8:0::12]:9100/metrics", addresses: mine))
        #expect(accepted("2001:db8::12", addresses: mine))
        #expect(!accepted("10.1.2.4:9100", addresses: mine))
        #expect(!accepted("10.1.2.3", addresses: []))
        #expect(filter.rejection(of: ["instance": "10.9.9.9:9100"], host: "app-12", addresses: mine) == "instance=\"10.9.9.9:9100\" is not this host (app-12)")
        #expect(!HostAlertFilter.localAddresses().isEmpty, "getifaddrs lists at least loopback")
    }

    @Test func serveEscapesControlAndBidiCharactersInWhatItPrints() {
        #expect(TerminalText.escape("a\u{1B}[31mred\u{1B}[0m") == "a\\x1B[31mred\\x1B[0m")
        #expect(TerminalText.escape("x\nalert Y remediated") == "x\\x0Aalert Y remediated")
        #expect(TerminalText.escape("\u{7F}\u{9B}\u{202E}\u{2066}\\") == "\\x7F\\x9B\\u{202E}\\u{2066}\\\\")
        #expect(TerminalText.escape("plain app-12 ünïcode") == "plain app-12 ünïcode")
        let filter = HostAlertFilter()
        let why = filter.rejection(of: ["instance": "\u{1B}]0;owned\u{7}"], host: "app-12") ?? ""
        #expect(!why.unicodeScalars.contains { $0.value < 0x20 }, "\(why)")
    }
}

/// The shared escaping rule (issue 8 item 6), attacked with generated strings.
@Suite struct TerminalTextTests {
    @Test func noGeneratedStringKeepsAControlAndEveryOrdinaryCharacterSurvives() {
        var generator = SystemRandomNumberGenerator()
        let alphabet: [Unicode.Scalar] = ["a", "Z", "0", " ", "\\", "\t", "\n", "\r", "\u{1B}", "\u{00}", "\u{7F}", "\u{80}", "\u{9B}",
                                          "\u{9F}", "\u{A0}", "é", "\u{202A}", "\u{202E}", "\u{2066}", "\u{2069}", "\u{200E}", "\u{061C}",
                                          "\u{2028}", "\u{2029}", "\u{FFFD}", "😀", "x"]
        for _ in 0..<2000 {
            var text = ""
            for _ in 0..<Int.random(in: 0...40, using: &generator) { text.unicodeScalars.append(alphabet.randomElement(using: &generator)!) }
            let escaped = TerminalText.escape(text)
            #expect(!escaped.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || [0x202A, 0x202E, 0x2066, 0x2069, 0x200E, 0x061C, 0x2028, 0x2029].contains($0.value) },
                    "\(text.debugDescription) → \(escaped.debugDescription)")
            // Unambiguous: undoing the escapes gives the text back.
            #expect(Self.unescape(escaped) == text, "\(text.debugDescription)")
            let content = TerminalText.content(text)
            #expect(!content.unicodeScalars.contains { $0 != "\t" && ($0.value < 0x20 || (0x7F...0x9F).contains($0.value)) })
            #expect(TerminalText.contentNeedsEscape(text) == (content != text))
            #expect(!GuardedOutputSink.guarded(text).unicodeScalars.contains { $0 != "\t" && $0 != "\n" && ($0.value < 0x20 || (0x7F...0x9F).contains($0.value)) })
        }
        #expect(TerminalText.escape("plain app-12 ünïcode") == "plain app-12 ünïcode")
        #expect(TerminalText.content("key\t= C:\\path") == "key\t= C:\\path", "file content reads as in the file")
    }

    static func unescape(_ text: String) -> String {
        var out = "", scalars = Array(text.unicodeScalars), index = 0
        while index < scalars.count {
            guard scalars[index] == "\\", index + 1 < scalars.count else { out.unicodeScalars.append(scalars[index]); index += 1; continue }
            switch scalars[index + 1] {
            case "\\": out += "\\"; index += 2
            case "x":
                out.unicodeScalars.append(Unicode.Scalar(UInt32(String(String.UnicodeScalarView(scalars[(index + 2)..<(index + 4)])), radix: 16)!)!)
                index += 4
            default: // \u{NNNN}
                let close = scalars[index...].firstIndex(of: "}")!
                out.unicodeScalars.append(Unicode.Scalar(UInt32(String(String.UnicodeScalarView(scalars[(index + 3)..<close])), radix: 16)!)!)
                index = close + 1
            }
        }
        return out
    }
}
