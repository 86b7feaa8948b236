import Foundation
import Testing
@testable import CtfixCore

/// The file follower: new lines only, rotation, truncation, partial lines, resuming.
@Suite("Watch: following a log file")
struct WatchFollowerTests {
    /// A scratch directory with one log file.
    final class Scratch {
        let directory: String
        var log: String { directory + "/kern.log" }
        init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("ctfix-follow-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        deinit { try? FileManager.default.removeItem(atPath: directory) }

        /// A follower of `/kern.log` under the scratch directory as root (reads go through it).
        func follower(resume: WatchState.FilePosition?, start: LogFileFollower.Start = .end) throws -> LogFileFollower {
            LogFileFollower(hostPath: "/kern.log", fileSystem: try RootedFileSystem(root: directory), resume: resume, start: start)
        }

        func append(_ text: String, to path: String? = nil) throws {
            let target = path ?? log
            if !FileManager.default.fileExists(atPath: target) { _ = FileManager.default.createFile(atPath: target, contents: nil) }
            let handle = try #require(FileHandle(forWritingAtPath: target))
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(text.utf8))
        }
    }

    @Test("starts at the end: lines already there are history, new ones are read once")
    func startsAtEnd() throws {
        let scratch = try Scratch()
        try scratch.append("old 1\nold 2\n")
        let follower = try scratch.follower(resume: nil)
        #expect(follower.readNewLines().isEmpty)
        try scratch.append("new 1\nnew 2\n")
        #expect(follower.readNewLines() == ["new 1", "new 2"])
        #expect(follower.readNewLines().isEmpty)
    }

    @Test("a half-written line waits for its newline, and the saved position excludes it")
    func partialLine() throws {
        let scratch = try Scratch()
        try scratch.append("")
        let follower = try scratch.follower(resume: nil)
        try scratch.append("complete\nhalf")
        #expect(follower.readNewLines() == ["complete"])
        #expect(follower.position?.offset == Int64("complete\n".utf8.count))
        try scratch.append(" done\n")
        #expect(follower.readNewLines() == ["half done"])
    }

    @Test("rotation by rename: the rest of the old file, then the new file from its start")
    func rotation() throws {
        let scratch = try Scratch()
        try scratch.append("before\n")
        let follower = try scratch.follower(resume: nil)
        try scratch.append("last of old\n")
        try FileManager.default.moveItem(atPath: scratch.log, toPath: scratch.log + ".1")
        try scratch.append("first of new\nsecond of new\n")
        #expect(follower.readNewLines() == ["last of old", "first of new", "second of new"])
        #expect(follower.notes.contains { $0.contains("rotated") })
        try scratch.append("third of new\n")
        #expect(follower.readNewLines() == ["third of new"])
    }

    @Test("truncation (copytruncate): start over from the beginning")
    func truncation() throws {
        let scratch = try Scratch()
        try scratch.append("one\ntwo\nthree\n")
        let follower = try scratch.follower(resume: nil)
        #expect(truncate(scratch.log, 0) == 0)
        try scratch.append("after\n")
        #expect(follower.readNewLines() == ["after"])
        #expect(follower.notes.contains { $0.contains("truncated") })
    }

    @Test("a file created after the start is read from its start")
    func createdLater() throws {
        let scratch = try Scratch()
        let follower = try scratch.follower(resume: nil)
        #expect(follower.readNewLines().isEmpty)
        try scratch.append("appeared\n")
        #expect(follower.readNewLines() == ["appeared"])
    }

    @Test("resuming the same file: lines written while not watched are read, older ones are not")
    func resumeSameFile() throws {
        let scratch = try Scratch()
        try scratch.append("handled\n")
        let first = try scratch.follower(resume: nil)
        try scratch.append("seen\n")
        #expect(first.readNewLines() == ["seen"])
        let saved = try #require(first.position)
        try scratch.append("while down\n")
        let second = try scratch.follower(resume: saved)
        #expect(second.readNewLines() == ["while down"])
    }

    @Test("resuming after a rotation while down: the rest of .1 first, then the new file")
    func resumeAcrossRotation() throws {
        let scratch = try Scratch()
        try scratch.append("")
        let first = try scratch.follower(resume: nil)
        try scratch.append("seen\n")
        _ = first.readNewLines()
        let saved = try #require(first.position)
        try scratch.append("late in old\n")
        try FileManager.default.moveItem(atPath: scratch.log, toPath: scratch.log + ".1")
        try scratch.append("early in new\n")
        let second = try scratch.follower(resume: saved)
        #expect(second.readNewLines() == ["late in old", "early in new"])
    }

    @Test("resuming a file that shrank while down: read from its start")
    func resumeTruncated() throws {
        let scratch = try Scratch()
        try scratch.append("a long line that was there\n")
        let first = try scratch.follower(resume: nil)
        let saved = try #require(first.position)
        #expect(truncate(scratch.log, 0) == 0)
        try scratch.append("short\n")
        let second = try scratch.follower(resume: saved)
        #expect(second.readNewLines() == ["short"])
    }

    @Test("inotify wakes the wait when the file grows; the stop pipe ends it")
    func wakeups() async throws {
        let scratch = try Scratch()
        try scratch.append("")
        let follower = try scratch.follower(resume: nil)
        let notifier = try #require(follower.changeNotifier)
        let stop = try WatchStopSignal()
        #expect(await WatchWait.wait(for: [notifier.descriptor], stop: stop.readEnd, timeout: .milliseconds(50)) == .timedOut)
        try scratch.append("wake\n")
        #expect(await WatchWait.wait(for: [notifier.descriptor], stop: stop.readEnd, timeout: .seconds(10)) == .changed)
        notifier.drain()
        #expect(follower.readNewLines() == ["wake"])
        stop.requestStop()
        #expect(await WatchWait.wait(for: [notifier.descriptor], stop: stop.readEnd, timeout: .seconds(10)) == .stopRequested)
    }
}
