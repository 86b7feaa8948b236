import CtfixCore
import Foundation
import Testing

/// Shares on the command line: a playbook with `above: 80` is invalid at its place (65) and
/// changes nothing; `--set usage_threshold=85` is refused with the suggestion, `85%` accepted.
@Suite struct ShareCommandLineTests {
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: PackagePaths.ctfixBinary.path), "needs the built ctfix"))
    func aBarePercentageIsInvalidAtItsPlace() async throws {
        let directory = try TrustedScratch.directory("ctfix-share") // not in /tmp: refused as root
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = "\(directory)/eighty.yaml"
        let text = try String(contentsOfFile: ExampleHostsPaths.playbook("table-full"), encoding: .utf8)
            .replacingOccurrences(of: "above: ${usage_threshold}", with: "above: 80")
        try TrustedScratch.write(text, to: path)
        let line = try #require(text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("above: 80") }) + 1
        let validate = try await CtfixBinary.run(["validate", path])
        #expect(validate.exitStatus == ExitStatus.invalidInput.rawValue)
        #expect(validate.standardError.contains("\(path):\(line):16: error: a ratio threshold is a share: 80 is not a share; write 80% or 0.8"),
                "\(validate.standardError)")

        let host = try ExampleHostsPaths.copy("centos5-ip-conntrack")
        defer { try? FileManager.default.removeItem(atPath: host) }
        let before = try String(contentsOfFile: "\(host)/proc/sys/net/ipv4/netfilter/ip_conntrack_max", encoding: .utf8)
        let run = try await CtfixBinary.run(["run", path, "--root", host, "--yes", "--audit-log", "\(host)/audit.jsonl"])
        #expect(run.exitStatus == ExitStatus.invalidInput.rawValue)
        #expect(try String(contentsOfFile: "\(host)/proc/sys/net/ipv4/netfilter/ip_conntrack_max", encoding: .utf8) == before)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: PackagePaths.ctfixBinary.path), "needs the built ctfix"))
    func setTakesAPercentOrAFractionAndRefusesABarePercentage() async throws {
        let playbook = ExampleHostsPaths.playbook("table-full")
        let root = ExampleHostsPaths.host("centos5-ip-conntrack")
        let bare = try await CtfixBinary.run(["run", playbook, "--dry-run", "--root", root, "--set", "usage_threshold=85"])
        #expect(bare.exitStatus == ExitStatus.invalidInput.rawValue)
        #expect(bare.standardError.contains("parameter 'usage_threshold' expects a share (90% or 0.9): 85 is not a share; write 85% or 0.85"),
                "\(bare.standardError)")
        for good in ["85%", "0.85"] {
            let run = try await CtfixBinary.run(["check", playbook, "--root", root, "--set", "usage_threshold=\(good)"])
            #expect(run.standardOutput.contains("conntrack_usage=100%;75;85"), "\(good): \(run.standardOutput)")
        }
    }
}
