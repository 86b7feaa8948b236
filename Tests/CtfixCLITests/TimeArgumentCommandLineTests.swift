import Foundation
import Testing
import CtfixCore

/// `--now` through the real binary, read by ISO8601Time: a time that does not exist is a usage
/// error naming the option and the text, and nothing runs; one that exists is read.
@Suite struct TimeArgumentCommandLineTests {
    @Test(arguments: ["2024-02-30T10:00:00Z", "2023-02-29T10:00:00Z", "2024-03-14T24:00:00Z", "2024-03-14T03:12:60Z",
                      "2024-03-14T03:12:40Zjunk", "٢٠٢٤-03-14T03:12:40Z"])
    func anImpossibleTimeIsRefusedAndChangesNothing(_ now: String) async throws {
        let host = try ExampleHostsPaths.copy("ubuntu-table-full")
        defer { try? FileManager.default.removeItem(atPath: host) }
        let log = "\(host)/audit.jsonl"
        let result = try await CtfixBinary.run(["run", ExampleHostsPaths.playbook("table-full"), "--root", host, "--yes",
                                                "--audit-log", log, "--now", now])
        #expect(result.exitStatus == ExitStatus.usage.rawValue, "\(result.standardOutput)\(result.standardError)")
        #expect(result.standardError.contains("--now: cannot read"), "\(result.standardError)")
        #expect(!FileManager.default.fileExists(atPath: log))
        #expect(try String(contentsOfFile: "\(host)/proc/sys/net/netfilter/nf_conntrack_max", encoding: .utf8) == "262144\n")
    }

    @Test func aLeapDayIsRead() async throws {
        let host = try ExampleHostsPaths.copy("ubuntu-table-full")
        defer { try? FileManager.default.removeItem(atPath: host) }
        let result = try await CtfixBinary.run(["check", ExampleHostsPaths.playbook("table-full"), "--root", host,
                                                "--now", "2024-02-29T10:00:00+02:00"])
        #expect(result.exitStatus != ExitStatus.unknown.rawValue, "\(result.standardOutput)\(result.standardError)")
    }
}
