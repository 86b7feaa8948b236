import CtfixCore
import Foundation
import Testing

/// `ctfix snapshot` of this very machine, reviewed with `--root`: the dry-run of table-full
/// plans the same actions (same before → after values, same steps) as on the machine itself.
@Suite("Snapshot: the command line")
struct SnapshotCommandLineTests {
    static var machineHasConntrack: Bool {
        FileManager.default.fileExists(atPath: "/proc/sys/net/netfilter/nf_conntrack_max")
            || FileManager.default.fileExists(atPath: "/proc/sys/net/ipv4/netfilter/ip_conntrack_max")
    }

    static func scratch(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("ctfix-\(name)-\(UUID().uuidString)").path
    }

    /// The `actions` array of a `run --json` report, run ids (in backup paths) blanked, and the
    /// MemAvailable figures of the budget note too: a live machine's free memory moves between
    /// the capture and the live dry-run (the budget's verdict, the after values, must not).
    static func actions(_ result: CommandResult) throws -> String {
        let object = try CtfixBinary.json(result)
        let actions = try #require(object["actions"])
        let data = try JSONSerialization.data(withJSONObject: actions, options: [.sortedKeys, .prettyPrinted])
        return String(decoding: data, as: UTF8.self)
            .replacingOccurrences(of: #"\d{8}T\d{6}Z-[0-9a-f]{8}"#, with: "RUN", options: .regularExpression)
            .replacingOccurrences(of: #"MemAvailable [0-9.]+ MiB = [0-9.]+ MiB"#, with: "MemAvailable M", options: .regularExpression)
    }

    @Test("a snapshot of this machine reviews the same as the machine",
          .enabled(if: machineHasConntrack, "this machine has no conntrack sysctls to capture"))
    func reviewMatchesMachine() async throws {
        let directory = Self.scratch("snapshot")
        let audit = Self.scratch("audit") + ".jsonl"
        defer {
            try? FileManager.default.removeItem(atPath: directory)
            try? FileManager.default.removeItem(atPath: audit)
        }
        let playbook = PackagePaths.root.path + "/playbooks/table-full.yaml"
        let captured = try await CtfixBinary.run(["snapshot", directory], timeout: .seconds(120))
        #expect(captured.exitStatus == 0, "\(captured.standardError)")
        let live = try await CtfixBinary.run(["run", playbook, "--dry-run", "--force", "--json", "--audit-log", audit])
        let review = try await CtfixBinary.run(["run", playbook, "--root", directory, "--dry-run", "--force", "--json", "--audit-log", audit])
        #expect(live.exitStatus == 0, "\(live.standardError)")
        #expect(review.exitStatus == 0, "\(review.standardError)")
        let liveActions = try Self.actions(live)
        #expect(liveActions.contains("\"before\""))
        #expect(try Self.actions(review) == liveActions)
        let manifest = try #require(try SnapshotManifest.read(from: RootedFileSystem(root: directory)))
        #expect(abs(manifest.capturedAt.timeIntervalSinceNow) < 3600)
    }

    @Test("a non-empty target directory is refused with exit status 64")
    func refusesNonEmpty() async throws {
        let directory = Self.scratch("occupied")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: directory + "/x", contents: Data())
        let result = try await CtfixBinary.run(["snapshot", directory, "--root", PackagePaths.root.path + "/examples/hosts/debian-healthy"])
        #expect(result.exitStatus == 64)
        #expect(result.standardError.contains("not empty"))
    }
}
