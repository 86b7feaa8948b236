import Foundation
import Testing
@testable import CtfixCore

/// Shares (`90%` or `0.9`) wherever a playbook or an operator writes one: ratio thresholds,
/// `counter` `usage`, `share` parameters and number parameters used as ratio thresholds, and
/// their `--set` values. Attacks: bare percentages (`80`), generated values on both sides of
/// every bound, negative, NaN and infinity text, units that are not `%`, and a `type: number`
/// parameter whose default is a bare percentage.
@Suite struct ShareUnitTests {
    /// A playbook whose detection is one ratio with `threshold` as written, and optionally a
    /// parameter declaration.
    static func playbook(threshold: String, parameter: String = "") -> String {
        """
        version: 1
        name: share-test
        summary: share test
        \(parameter.isEmpty ? "" : "parameters:\n" + parameter)
        detect:
          ratio:
            numerator: {sysctl: net.netfilter.nf_conntrack_count}
            denominator: {sysctl: net.netfilter.nf_conntrack_max}
            above: \(threshold)
        actions:
          - name: raise
            explain: Raise the table.
            risk: safe
            sysctl: {key: net.netfilter.nf_conntrack_max, set: 65536}

        """
    }

    static func errors(_ text: String) -> [Diagnostic] {
        do {
            _ = try PlaybookLoader.parse(text, file: "share.yaml")
            return []
        } catch {
            return error.errors
        }
    }

    @Test func percentagesAndFractionsFromZeroToOneAreShares() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let hundredths = Int.random(in: 0...10_000, using: &generator)
            let value = Double(hundredths) / 10_000
            let percent = "\(formatNumber(value * 100))%"
            #expect(try ShareText.parse(percent).get().isApproximately(value), "\(percent)")
            #expect(try ShareText.parse(formatNumber(value)).get().isApproximately(value), "\(formatNumber(value))")
            #expect(Self.errors(Self.playbook(threshold: percent)).isEmpty, "above: \(percent)")
        }
        for (text, value) in [("0", 0.0), ("1", 1), ("1.0", 1), ("100%", 1), ("0%", 0), (".5", 0.5), ("5e-1", 0.5), (" 90 % ", 0.9)] {
            #expect(try ShareText.parse(text).get() == value, "\(text)")
        }
        for text in ["0", "1", "1.0", "100%", "0%"] {
            #expect(Self.errors(Self.playbook(threshold: text)).isEmpty, "above: \(text) is a share")
        }
    }

    @Test func aBareNumberAboveOneIsRefusedWithTheSuggestion() {
        var generator = SystemRandomNumberGenerator()
        var samples = [2, 5, 75, 80, 90, 99, 100, 101, 1000]
        for _ in 0..<50 { samples.append(Int.random(in: 2...100_000, using: &generator)) }
        for number in samples {
            let text = String(number)
            let expected = "\(text) is not a share; write \(text)% or \(formatNumber(Double(number) / 100))"
            #expect(ShareText.parse(text) == .failure(ShareError(message: expected)))
            let found = Self.errors(Self.playbook(threshold: text))
            #expect(found.count == 1)
            #expect(found.first?.line == 9 && found.first?.column == 12, "\(found)")
            #expect(found.first?.message == "a ratio threshold is a share: \(expected)")
        }
        #expect(Self.errors(Self.playbook(threshold: "1.01")).first?.message.contains("1.01 is not a share; write 1.01% or 0.0101") == true)
    }

    @Test func percentagesAboveAHundredNegativesAndNonNumbersAreRefused() {
        for text in ["101%", "100.5%", "900%"] {
            #expect(ShareText.parse(text).failureMessage?.contains("is above 100%") == true, "\(text)")
            #expect(Self.errors(Self.playbook(threshold: text)).first?.message.contains("is above 100%") == true, "\(text)")
        }
        for text in ["-0.1", "-5%", "-1"] {
            #expect(ShareText.parse(text).failureMessage?.contains("cannot be negative") == true, "\(text)")
            #expect(Self.errors(Self.playbook(threshold: text)).first?.message.contains("cannot be negative") == true, "\(text)")
        }
        for text in ["NaN", "nan", "inf", "-inf", "Infinity", "64MiB", "90 percent", "", "%", "0.9.1", "1e400", "0x1", "${x}", "90%%", "ninety"] {
            #expect(ShareText.parse(text).failureMessage?.contains("not a share") == true, "'\(text)'")
        }
    }

    @Test func counterUsageIsAShareToo() {
        let text = """
        version: 1
        name: usage-test
        summary: usage test
        detect:
          counter:
            stat: nf_conntrack
            columns: [drop]
            above: 0
            usage: {above: 85}
        actions:
          - name: raise
            explain: Raise the table.
            risk: safe
            sysctl: {key: net.netfilter.nf_conntrack_max, set: 65536}

        """
        let found = Self.errors(text)
        #expect(found.map(\.message) == ["a ratio threshold is a share: 85 is not a share; write 85% or 0.85"])
        #expect(found.first?.line == 9 && found.first?.column == 20, "\(found)")
    }

    @Test func aNumberParameterUsedAsARatioThresholdIsCheckedAsAShare() throws {
        // Its default, at the default's own place.
        let declared = "  threshold: {type: number, default: 80, description: t}\n"
        let found = Self.errors(Self.playbook(threshold: "${threshold}", parameter: declared))
        #expect(found.count == 1)
        #expect(found.first?.line == 5 && found.first?.column == 38, "\(found)")
        #expect(found.first?.message.contains("expects a share (90% or 0.9): 80 is not a share; write 80% or 0.8") == true, "\(found)")

        // And every --set value once the default is right.
        let good = try PlaybookLoader.parse(Self.playbook(threshold: "${threshold}",
                                                          parameter: "  threshold: {type: number, default: 90%, description: t}\n"), file: "share.yaml")
        #expect(good.parameters[0].type == .share)
        #expect(try good.resolveParameters(["threshold": "85%"])["threshold"]?.number?.isApproximately(0.85) == true)
        #expect(try good.resolveParameters(["threshold": "0.85"])["threshold"]?.number?.isApproximately(0.85) == true)
        #expect {
            _ = try good.resolveParameters(["threshold": "85"])
        } throws: { error in
            "\(error)" == "parameter 'threshold' expects a share (90% or 0.9): 85 is not a share; write 85% or 0.85"
        }
        // A number parameter used elsewhere stays a number.
        let other = try PlaybookLoader.parse(Self.playbook(threshold: "90%", parameter: "  other: {type: number, default: 80, description: t}\n"), file: "share.yaml")
        #expect(other.parameters[0].type == .number)
    }

    @Test func theShippedPlaybooksDeclareTheirSharesAndRefuseABarePercentage() throws {
        let playbook = try ExampleHosts.playbook("table-full")
        let threshold = try #require(playbook.parameters.first { $0.name == "usage_threshold" })
        #expect(threshold.type == .share)
        #expect(threshold.defaultValue.number == 0.9)
        #expect(try playbook.resolveParameters(["usage_threshold": "95%"])["usage_threshold"]?.number?.isApproximately(0.95) == true)
        for (text, fragment) in [("95", "95 is not a share; write 95% or 0.95"), ("101%", "above 100%"),
                                 ("-1%", "cannot be negative"), ("NaN", "not a share"), ("1.5", "1.5 is not a share")] {
            #expect {
                _ = try playbook.resolveParameters(["usage_threshold": text])
            } throws: { error in
                "\(error)".contains(fragment)
            }
        }
        #expect(try playbook.resolveParameters(["usage_threshold": "100%"])["usage_threshold"]?.number == 1)
    }
}

extension Double {
    func isApproximately(_ other: Double) -> Bool { abs(self - other) <= 1e-9 }
}

extension Result where Failure == ShareError {
    var failureMessage: String? { if case .failure(let error) = self { error.message } else { nil } }
}
