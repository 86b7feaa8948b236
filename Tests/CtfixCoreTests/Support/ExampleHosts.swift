import Foundation
@testable import CtfixCore

/// The repository's example hosts and playbooks, for tests.
enum ExampleHosts {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    static func playbookPath(_ name: String) -> String { "\(packageRoot)/playbooks/\(name).yaml" }
    static func hostPath(_ name: String) -> String { "\(packageRoot)/examples/hosts/\(name)" }

    static func playbook(_ name: String) throws -> Playbook { try PlaybookLoader.load(path: playbookPath(name)) }

    /// An example host loaded into memory, so a test can make writes fail (`denyWrites`) — as
    /// root on a real directory, permissions would not stop anything.
    static func inMemory(_ name: String) throws -> InMemoryFileSystem {
        let root = hostPath(name)
        let fs = InMemoryFileSystem()
        let enumerator = FileManager.default.enumerator(atPath: root)
        while let relative = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: "\(root)/\(relative)", isDirectory: &isDirectory)
            if isDirectory.boolValue { continue }
            fs.set("/" + relative, try String(contentsOfFile: "\(root)/\(relative)", encoding: .utf8))
        }
        return fs
    }

    /// A copy of an example host in a temporary directory, for runs through the real file system.
    static func copy(_ name: String) throws -> String {
        let target = FileManager.default.temporaryDirectory.appendingPathComponent("ctfix-host-\(UUID().uuidString)").path
        try FileManager.default.copyItem(atPath: hostPath(name), toPath: target)
        return target
    }

    /// A context on an in-memory host, frozen at the host's capture time. `live`: the in-memory
    /// host stands for this machine, so programs (scripted) may run; otherwise they are simulated.
    static func context(_ fs: InMemoryFileSystem, terminal: any Terminal = NoTerminal(),
                        commands: any CommandRunner = ScriptedCommandRunner(), output: CapturedOutput = CapturedOutput(),
                        live: Bool = false) throws -> CtfixContext {
        let manifest = try SnapshotManifest.read(from: fs)
        return CtfixContext(fileSystem: fs, clock: FixedClock(manifest?.capturedAt ?? Date()), commands: commands,
                            output: output, terminal: terminal, environment: [:], isLiveHost: live)
    }
}
