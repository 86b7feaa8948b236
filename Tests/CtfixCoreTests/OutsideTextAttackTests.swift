import Foundation
import Testing
@testable import CtfixCore

/// Gaps an independent review of issue 8 item 6 found: a config file with bytes that are not
/// UTF-8 had those bytes rewritten on lines the plan never showed; the destructive prompt
/// printed a host name read from the root raw.
@Suite struct OutsideTextAttackTests {
    static let playbook = """
        version: 1
        name: latin1-edit
        summary: An edit of a file holding a Latin-1 line the edit does not touch.
        detect:
          file_matches:
            path: /etc/example.conf
            pattern: '^alpha='
        actions:
          - name: alpha
            explain: Comment out the alpha line.
            risk: safe
            file_edit:
              path: /etc/example.conf
              match: '^alpha='
              comment_out: true
        """

    func run(_ fs: InMemoryFileSystem) async throws -> RunReport {
        let playbook = try PlaybookLoader.parse(Self.playbook, file: "test.yaml")
        let manifest = try SnapshotManifest.read(from: fs)
        let ctx = CtfixContext(fileSystem: fs, clock: FixedClock(manifest?.capturedAt ?? Date()), commands: ScriptedCommandRunner(),
                               output: CapturedOutput(), terminal: NoTerminal(), environment: [:], isLiveHost: false)
        var options = RunOptions()
        options.assumeYes = true
        options.skipVerifyDelay = true
        return await Executor(ctx: ctx, playbook: playbook, parameters: try playbook.resolveParameters([:]), options: options).run()
    }

    @Test(arguments: [[0xE9], [0xFF], [0xC3], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xC0, 0xAF]])
    func anEditOfAFileThatIsNotUTF8IsRefusedAndTheFileKeepsItsBytes(_ bad: [UInt8]) async throws {
        let fs = try ExampleHosts.inMemory("centos5-ip-conntrack")
        var original = Data("alpha=1\n# caf".utf8)
        original.append(contentsOf: bad)
        original.append(Data("\nbeta=2\n".utf8))
        fs.setData("/etc/example.conf", original)
        let report = try await run(fs)
        #expect(report.actions.map(\.status) == [.refused])
        #expect(report.actions[0].reason?.contains("/etc/example.conf is not UTF-8 text (byte 13 is not)") == true, "\(report.actions[0].reason ?? "")")
        #expect(try fs.readFile("/etc/example.conf") == original, "not one byte changed")
    }

    @Test func utf8CheckNamesTheFirstBadByte() {
        #expect(UTF8Check.firstInvalidOffset(Data("plain ✓ text\n".utf8)) == nil)
        #expect(UTF8Check.firstInvalidOffset(Data([0x61, 0x62, 0xE2, 0x9C])) == 2, "a truncated sequence at the end")
        #expect(UTF8Check.firstInvalidOffset(Data([0x61, 0xED, 0xA0, 0x80])) == 1, "a surrogate")
        #expect(UTF8Check.firstInvalidOffset(Data()) == nil)
    }
}
