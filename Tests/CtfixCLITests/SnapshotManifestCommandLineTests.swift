import CtfixCore
import Foundation
import Testing

/// A snapshot whose `ctfix-snapshot.json` is malformed, through the real binary: the run is
/// refused as a usage error (64) naming the file and the place, and nothing is audited or
/// changed (the clock of a review must never silently fall back to the wall clock).
@Suite("Snapshot manifest: the command line")
struct SnapshotManifestCommandLineTests {
    static let example = PackagePaths.root.path + "/examples/hosts/ubuntu-table-full"

    @Test("a malformed manifest stops run and check before anything else, naming the place",
          arguments: [
              (#"{"captured_at": "2024-03-14T03:12:40Z", "hostname": "x",}"#, "line 1, column 57: not valid JSON"),
              ("{\"captured_at\": \"2024-03-14T03:12:40Z\",\n\"captured_at\": \"2099-01-01T00:00:00Z\", \"hostname\": \"x\"}",
               #"line 2, column 1: the key "captured_at" appears twice in one object"#),
              (#"{"captured_at": 1710386000, "hostname": "x"}"#, "captured_at: expected a string, found a number"),
          ])
    func malformedManifest(_ text: String, _ expected: String) async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ctfix-bad-manifest-\(UUID().uuidString)").path
        let audit = root + "-audit.jsonl"
        defer {
            try? FileManager.default.removeItem(atPath: root)
            try? FileManager.default.removeItem(atPath: audit)
        }
        try FileManager.default.copyItem(atPath: Self.example, toPath: root)
        try text.write(toFile: root + "/ctfix-snapshot.json", atomically: true, encoding: .utf8)
        let before = try String(contentsOfFile: root + "/proc/sys/net/netfilter/nf_conntrack_max", encoding: .utf8)
        let playbook = PackagePaths.root.path + "/playbooks/table-full.yaml"
        let message = "/ctfix-snapshot.json: not a valid snapshot manifest: \(expected)"
        let run = try await CtfixBinary.run(["run", playbook, "--root", root, "--yes", "--audit-log", audit])
        #expect(run.exitStatus == 64)
        #expect(run.standardError.contains(message), "\(run.standardError)")
        let json = try await CtfixBinary.run(["run", playbook, "--root", root, "--dry-run", "--json", "--audit-log", audit])
        #expect(json.exitStatus == 64)
        #expect(json.standardOutput.contains(message.replacingOccurrences(of: "\"", with: "\\\"")), "\(json.standardOutput)")
        let check = try await CtfixBinary.run(["check", playbook, "--root", root])
        #expect(check.exitStatus == 3)
        #expect(check.standardOutput.hasPrefix("CTFIX UNKNOWN"), "\(check.standardOutput)")
        #expect(!FileManager.default.fileExists(atPath: audit))
        #expect(try String(contentsOfFile: root + "/proc/sys/net/netfilter/nf_conntrack_max", encoding: .utf8) == before)
    }
}
