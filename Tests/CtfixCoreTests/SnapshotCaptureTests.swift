import Foundation
import Testing
@testable import CtfixCore

/// `ctfix snapshot` in process: a capture of an example host reviews the same as the host.
@Suite("Snapshot: capturing a host")
struct SnapshotCaptureTests {
    static func scratch() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("ctfix-snap-\(UUID().uuidString)").path
    }

    /// A dry-run's actions as JSON with run ids blanked (backup paths carry them).
    static func plannedActions(playbook: String, root: String) async throws -> String {
        let ctx = try CtfixContext.live(root: root)
        var quiet = ctx
        quiet.output = CapturedOutput()
        var options = RunOptions()
        options.dryRun = true
        options.force = true
        options.json = true
        options.auditLogPath = scratch() + "-audit.jsonl"
        let loaded = try PlaybookLoader.load(path: playbook)
        let report = await Executor(ctx: quiet, playbook: loaded, parameters: try loaded.resolveParameters([:]), options: options).run()
        let json = JSONOutput.encode(report.actions)
        return json.replacingOccurrences(of: #"\d{8}T\d{6}Z-[0-9a-f]{8}"#, with: "RUN", options: .regularExpression)
    }

    @Test("every shipped playbook plans the same actions on a capture as on the host", arguments: ["centos5-ip-conntrack", "ubuntu-table-full", "centos6-alloc-failure"])
    func samePlans(host: String) async throws {
        let directory = Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let source = try CtfixContext.live(root: ExampleHosts.hostPath(host))
        var ctx = source
        ctx.output = CapturedOutput()
        #expect(await SnapshotCommand(directory: directory).run(ctx) == .ok)
        for name in ["table-full", "alloc-failure", "unload-conntrack"] {
            let original = try await Self.plannedActions(playbook: ExampleHosts.playbookPath(name), root: ExampleHosts.hostPath(host))
            let captured = try await Self.plannedActions(playbook: ExampleHosts.playbookPath(name), root: directory)
            #expect(original == captured, "\(name) on \(host)")
        }
        let manifest = try #require(try SnapshotManifest.read(from: RootedFileSystem(root: directory)))
        #expect(manifest.capturedAt == source.clock.now())
        #expect(manifest.hostname == HostFacts.read(source.fileSystem).hostName)
    }

    @Test("the kernel log tail keeps its path and format, and the capture's check fires like the host's")
    func logTail() async throws {
        let directory = Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var ctx = try CtfixContext.live(root: ExampleHosts.hostPath("centos5-ip-conntrack"))
        ctx.output = CapturedOutput()
        #expect(await SnapshotCommand(directory: directory).run(ctx) == .ok)
        let original = try String(contentsOfFile: ExampleHosts.hostPath("centos5-ip-conntrack") + "/var/log/messages", encoding: .utf8)
        #expect(try String(contentsOfFile: directory + "/var/log/messages", encoding: .utf8) == original)
        let playbook = try ExampleHosts.playbook("table-full")
        let captured = try CtfixContext.live(root: directory)
        let result = await playbook.detect.evaluate(in: EvaluationContext(host: captured, parameters: try playbook.resolveParameters([:]).numericValues))
        #expect(result.state == .holds)
    }

    @Test("a non-empty directory is refused and left alone")
    func refusesNonEmpty() async throws {
        let directory = Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try "keep".write(toFile: directory + "/mine.txt", atomically: true, encoding: .utf8)
        let output = CapturedOutput()
        var ctx = try CtfixContext.live(root: ExampleHosts.hostPath("debian-healthy"))
        ctx.output = output
        #expect(await SnapshotCommand(directory: directory).run(ctx) == .usage)
        #expect(output.standardError.contains("not empty"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["mine.txt"])
    }

    @Test("symlinks leading out of the source are skipped with a note; links inside are captured")
    func symlinks() async throws {
        let root = try ExampleHosts.copy("debian-healthy")
        let directory = Self.scratch()
        defer {
            try? FileManager.default.removeItem(atPath: root)
            try? FileManager.default.removeItem(atPath: directory)
        }
        try FileManager.default.createDirectory(atPath: root + "/etc/sysctl.d", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: root + "/etc/sysctl.d/50-escape.conf", withDestinationPath: "/etc/passwd")
        try FileManager.default.createSymbolicLink(atPath: root + "/etc/sysctl.d/99-sysctl.conf", withDestinationPath: "../sysctl.conf")
        var ctx = try CtfixContext.live(root: root)
        ctx.output = CapturedOutput()
        #expect(await SnapshotCommand(directory: directory).run(ctx) == .ok)
        #expect(!FileManager.default.fileExists(atPath: directory + "/etc/sysctl.d/50-escape.conf"))
        let manifest = try String(contentsOfFile: directory + "/" + SnapshotManifest.fileName, encoding: .utf8)
        #expect(manifest.contains("/etc/sysctl.d/50-escape.conf"))
        if FileManager.default.fileExists(atPath: root + "/etc/sysctl.conf") {
            #expect(FileManager.default.contents(atPath: directory + "/etc/sysctl.d/99-sysctl.conf")
                    == FileManager.default.contents(atPath: root + "/etc/sysctl.conf"))
        }
    }
}
