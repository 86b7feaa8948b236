import Foundation
import Testing
@testable import CtfixCore

/// The backstop of containment: under a root that is not this machine, the command runner
/// itself passes only the one read of the root's journal ctfix makes. A `journalctl` argv
/// that also writes (a catalog update, sealing keys, a vacuum, a rotation) is a program run on
/// this machine and must be refused, however `--directory` is spelled around it.
@Suite struct ContainedCommandRunnerTests {
    static let refused: [[String]] = [
        ["journalctl", "--directory", "/r/var/log/journal", "--update-catalog"],
        ["journalctl", "--directory", "/r/var/log/journal", "--setup-keys"],
        ["journalctl", "--directory", "/r/var/log/journal", "--relinquish-var"],
        ["journalctl", "--directory", "/r/var/log/journal", "--smart-relinquish-var"],
        ["journalctl", "--directory", "/r/var/log/journal", "--vacuum-size=1"],
        ["journalctl", "--directory=/r/var/log/journal", "--rotate"],
        ["journalctl", "-D", "/r/var/log/journal", "--flush"],
        ["journalctl", "--directory", "/r/var/log/journal", "--output-fields=x", "--new-id128"],
        ["journalctl", "--directory", "/r/var/log/journal", "-k", "--file", "/etc/shadow"],
        ["sh", "-c", "journalctl --directory /x"],
        ["journalctl", "-k"], // the live journal: not the root's
    ]

    @Test(arguments: refused)
    func anythingButReadingTheRootsJournalIsRefused(_ argv: [String]) async {
        let inner = ScriptedCommandRunner(available: ["journalctl", "sh"]) { _ in CommandResult(exitStatus: 0) }
        let runner = ContainedCommandRunner(inner)
        await #expect(throws: CommandError.self, "\(argv)") { try await runner.run(argv) }
        #expect(inner.invocations.isEmpty, "\(argv) reached the real runner")
    }

    /// What `JournaldKernelLog` asks under a root: passed through unchanged.
    @Test(arguments: [
        ["journalctl", "--directory", "/r/var/log/journal", "-k", "-o", "json", "--no-pager", "--since", "@1700000000", "--until", "@1700000900"],
        ["journalctl", "--directory", "/r/var/log/journal", "-k", "-o", "json", "--no-pager", "--reverse"],
    ])
    func theRootsJournalIsRead(_ argv: [String]) async throws {
        let inner = ScriptedCommandRunner(available: ["journalctl"]) { _ in CommandResult(exitStatus: 0) }
        _ = try await ContainedCommandRunner(inner).run(argv)
        #expect(inner.invocations == [argv])
    }
}
