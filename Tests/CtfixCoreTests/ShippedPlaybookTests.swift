import Foundation
import Testing
@testable import CtfixCore

/// The playbooks in `playbooks/` against the example hosts in `examples/hosts/`: what a newcomer
/// runs first must say the right thing.
@Suite struct ShippedPlaybookTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path
    static let playbooks = ["table-full", "alloc-failure", "unload-conntrack"]

    static func playbook(_ name: String) -> String { "\(packageRoot)/playbooks/\(name).yaml" }
    static func host(_ name: String) -> String { "\(packageRoot)/examples/hosts/\(name)" }

    @Test(arguments: playbooks)
    func shippedPlaybookIsValidWithoutWarnings(_ name: String) throws {
        let text = try String(contentsOfFile: Self.playbook(name), encoding: .utf8)
        let root = try YAMLDocumentParser.parse(text, file: name)
        var scope = ParseScope(file: name)
        let playbook = PlaybookLoader.parse(root, scope: &scope)
        #expect(scope.diagnostics.isEmpty, "\(scope.diagnostics.map(\.description))")
        #expect(playbook?.name == name)
        #expect(playbook?.actions.allSatisfy { !$0.explain.isEmpty } == true)
    }

    /// The shipped table-full pattern against every kernel's wording of a full table, and the
    /// look-alikes it must not take (issue 9 item 4: the 2.4.0–2.4.1 wording was not recognised).
    @Test func tableFullPatternKnowsEveryKernelsWording() throws {
        let text = try String(contentsOfFile: Self.playbook("table-full"), encoding: .utf8)
        let playbook = try PlaybookLoader.parse(text, file: "table-full.yaml")
        guard case .any(let children) = playbook.detect, case .leaf(let leaf)? = children.first, let log = leaf as? LogPredicate else {
            Issue.record("table-full's first detection clause is no longer its log pattern")
            return
        }
        for line in ["ip_conntrack: maximum limit of 16384 entries exceeded",          // 2.4.0–2.4.1
                     "ip_conntrack: table full, dropping packet.",                      // 2.4.2–2.6.x
                     "nf_conntrack: table full, dropping packet.",                      // 2.6.15 on
                     "nf_conntrack: table full, dropping packet",
                     "nf_conntrack: nf_conntrack: table full, dropping packet",         // about 4.9 on
                     "nf_conntrack: nf_conntrack: table full in netns 4026532177, dropping packet"] {  // 6.18
            #expect(log.pattern.test(line) == .match, "\(line)")
        }
        for line in ["nf_conntrack: expectation table full", "ip_conntrack: maximum limit of entries exceeded",
                     "nf_conntrack: falling back to vmalloc."] {
            #expect(log.pattern.test(line) == .noMatch, "\(line)")
        }
    }

    func check(_ playbook: String, on host: String, settings: [String: String] = [:]) async throws -> (CtfixCore.ExitStatus, CheckCommand.Outcome, String) {
        let output = CapturedOutput()
        var ctx = try CtfixContext.live(root: Self.host(host), environment: [:])
        ctx.output = output
        let status = await CheckCommand(paths: [Self.playbook(playbook)], settings: settings, json: true).run(ctx)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let outcome = try decoder.decode(CheckCommand.Outcome.self, from: Data(output.standardOutput.utf8))
        return (status, outcome, output.standardOutput)
    }

    @Test func tableFullFiresOnTheSeedHostWithSuppressedCounts() async throws {
        let (status, outcome, _) = try await check("table-full", on: "centos5-ip-conntrack")
        #expect(status == .critical)
        #expect(outcome.firing)
        let leaves = try #require(outcome.evidence).leaves
        let log = try #require(leaves.first { $0.kind == "log" })
        // 4 lines in the 15 minutes before 08:55:10, plus 12 + 49 + 49 suppressed.
        #expect(log.state == .holds)
        #expect(log.count == 114)
        #expect(log.matches.map(\.suppressed).reduce(0, +) == 110)
        let ratio = try #require(leaves.first { $0.kind == "ratio" })
        #expect(ratio.state == .holds)
        #expect(ratio.readings.map(\.value) == [16640, 16640])
        #expect(ratio.readings.first?.source == "/proc/sys/net/ipv4/netfilter/ip_conntrack_count")
        #expect(outcome.perfdata.contains("conntrack_usage=100%;75;90"))
    }

    /// The critical threshold in perfdata is the share as a percentage, whichever way it was
    /// written (`above: 80` used to give `;75;8000`; it is now refused when the playbook loads);
    /// the 75% warning is left out when the threshold is not above it.
    @Test(arguments: [("80%", "conntrack_usage=100%;75;80"), ("0.8", "conntrack_usage=100%;75;80"),
                      ("100%", "conntrack_usage=100%;75;100"), ("50%", "conntrack_usage=100%;;50")])
    func perfdataShowsTheShareAsWritten(setting: String, perfdata: String) async throws {
        let (_, outcome, _) = try await check("table-full", on: "centos5-ip-conntrack", settings: ["usage_threshold": setting])
        #expect(outcome.perfdata.contains(perfdata), "\(outcome.perfdata)")
    }

    @Test func tableFullFiresOnTheModernHost() async throws {
        let (status, outcome, _) = try await check("table-full", on: "ubuntu-table-full")
        #expect(status == .critical)
        let log = try #require(outcome.evidence?.leaves.first { $0.kind == "log" })
        #expect(log.state == .holds)
        #expect((log.count ?? 0) > 14)
        #expect(log.matches.allSatisfy { $0.source == "/var/log/kern.log" })
    }

    @Test func tableFullIsQuietOnTheHealthyHostDespiteAnExpectationTableMessage() async throws {
        let (status, outcome, _) = try await check("table-full", on: "debian-healthy")
        #expect(status == .ok)
        #expect(!outcome.firing)
        #expect(outcome.evidence?.leaves.allSatisfy { $0.state == .doesNotHold } == true)
    }

    @Test func allocFailureFiresOnTheLowMemoryHostButTableFullDoesNot() async throws {
        let (allocStatus, _, _) = try await check("alloc-failure", on: "centos6-alloc-failure")
        #expect(allocStatus == .critical)
        let (fullStatus, _, _) = try await check("table-full", on: "centos6-alloc-failure")
        #expect(fullStatus == .ok)
    }

    @Test(arguments: ["alloc-failure", "unload-conntrack"])
    func otherPlaybooksAreQuietOnTheHealthyHost(_ name: String) async throws {
        let (status, _, _) = try await check(name, on: "debian-healthy")
        #expect(status == .ok)
    }

    @Test func unloadConntrackFiresOnlyWhereTheIptablesConfigLoadsTheModule() async throws {
        let (seed, _, _) = try await check("unload-conntrack", on: "centos5-ip-conntrack")
        #expect(seed == .critical)
        let (modern, _, _) = try await check("unload-conntrack", on: "ubuntu-table-full")
        #expect(modern == .ok)
    }
}
