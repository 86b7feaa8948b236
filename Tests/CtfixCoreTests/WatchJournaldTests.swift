import Foundation
import Testing
@testable import CtfixCore

/// The journald stream, against a stand-in `journalctl` that prints two kernel entries and
/// then waits like `-f` does: lines arrive through the wake pipe, the cursor is kept, a
/// restart asks for `--after-cursor`, and stopping ends the program.
@Suite("Watch: journald stream")
struct WatchJournaldTests {
    static func fakeJournalctl(in directory: String) throws -> (program: String, argumentsFile: String) {
        let program = directory + "/journalctl"
        let argumentsFile = directory + "/arguments"
        let script = """
        #!/bin/sh
        echo "$@" > \(argumentsFile)
        echo '{"__CURSOR":"s=1;i=10","__REALTIME_TIMESTAMP":"1700000000000000","_TRANSPORT":"kernel","SYSLOG_FACILITY":"0","MESSAGE":"nf_conntrack: nf_conntrack: table full, dropping packet"}'
        echo '{"__CURSOR":"s=1;i=11","__REALTIME_TIMESTAMP":"1700000001000000","_TRANSPORT":"kernel","SYSLOG_FACILITY":"0","MESSAGE":"eth0: link up"}'
        exec sleep 60
        """
        try script.write(toFile: program, atomically: true, encoding: .utf8)
        #expect(chmod(program, 0o755) == 0)
        return (program, argumentsFile)
    }

    @Test("entries arrive as lines with their cursor; a restart continues after it; stop ends journalctl")
    func streamsAndResumes() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ctfix-journal-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (program, argumentsFile) = try Self.fakeJournalctl(in: directory)
        let never = try WatchStopSignal()

        let stream = try JournaldStream(program: program, afterCursor: nil)
        var lines: [String] = []
        for _ in 0..<20 where lines.count < 2 {
            _ = await WatchWait.wait(for: [stream.descriptor], stop: never.readEnd, timeout: .seconds(5))
            lines += stream.readNewLines().lines
        }
        #expect(lines.count == 2)
        #expect(stream.cursor == "s=1;i=11")
        var parser = KernelLogLineParser(now: Date(timeIntervalSince1970: 1_700_000_100))
        let first = parser.parse(try #require(lines.first))
        #expect(first.isKernel && first.format == .journalJSON)
        #expect(first.message == "nf_conntrack: nf_conntrack: table full, dropping packet")
        #expect(try String(contentsOfFile: argumentsFile, encoding: .utf8).contains("--lines=0"))
        stream.stop()
        var ended: [String] = []
        for _ in 0..<20 where ended.isEmpty {
            _ = await WatchWait.wait(for: [stream.descriptor], stop: never.readEnd, timeout: .seconds(5))
            ended += stream.readNewLines().notes
        }
        #expect(ended.first?.contains("journalctl") == true)

        try FileManager.default.removeItem(atPath: argumentsFile)
        let resumed = try JournaldStream(program: program, afterCursor: "s=1;i=11")
        defer { resumed.stop() }
        var resumedLines: [String] = []
        for _ in 0..<20 where resumedLines.isEmpty {
            _ = await WatchWait.wait(for: [resumed.descriptor], stop: never.readEnd, timeout: .seconds(5))
            resumedLines += resumed.readNewLines().lines
        }
        #expect(try String(contentsOfFile: argumentsFile, encoding: .utf8).contains("--after-cursor=s=1;i=11"))
    }

    @Test("a first start asks journald for its last kernel entry's cursor and continues after it")
    func firstStartCursor() async throws {
        let scripted = ScriptedCommandRunner(available: ["journalctl"]) { argv in
            guard argv.first == "journalctl", argv.contains("-n") else { return nil }
            return CommandResult(exitStatus: 0, standardOutput: #"{"__CURSOR":"s=1;i=99","_TRANSPORT":"kernel","SYSLOG_FACILITY":"0","MESSAGE":"old"}"# + "\n")
        }
        let ctx = CtfixContext(fileSystem: InMemoryFileSystem(), commands: scripted, isLiveHost: true)
        #expect(await WatchSource.lastJournalCursor(ctx) == "s=1;i=99")
        let silent = CtfixContext(fileSystem: InMemoryFileSystem(), commands: ScriptedCommandRunner(available: ["journalctl"]), isLiveHost: true)
        #expect(await WatchSource.lastJournalCursor(silent) == nil)
    }

    @Test("--lookback on journald asks for entries since the lookback start")
    func lookbackSince() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ctfix-journal-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (program, argumentsFile) = try Self.fakeJournalctl(in: directory)
        let never = try WatchStopSignal()
        let stream = try JournaldStream(program: program, afterCursor: nil, since: Date(timeIntervalSince1970: 1_700_000_000))
        defer { stream.stop() }
        var lines: [String] = []
        for _ in 0..<20 where lines.isEmpty {
            _ = await WatchWait.wait(for: [stream.descriptor], stop: never.readEnd, timeout: .seconds(5))
            lines += stream.readNewLines().lines
        }
        let arguments = try String(contentsOfFile: argumentsFile, encoding: .utf8)
        #expect(arguments.contains("--since=@1700000000"))
        #expect(!arguments.contains("--lines=0"))
    }
}
