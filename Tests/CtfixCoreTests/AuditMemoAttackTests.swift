import Foundation
import Testing
@testable import CtfixCore

/// An `AuditLog` instance remembers what its own last append left (`AuditLogMemo`) and skips
/// re-reading the tail and head when, under the lock, both files are exactly as it left them.
/// Every test here changes something between two appends of one instance and checks that the
/// memo is not trusted and the append does what the full path does today: chain to the real last
/// record, or refuse. `appendsFromMemo` shows which path was taken, so a memo that is never
/// used (or always used) cannot make these pass for nothing.
@Suite struct AuditMemoAttackTests {
    let directory: String
    let log: AuditLog
    let now = Date(timeIntervalSince1970: 1_700_000_000)

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ctfix-audit-memo-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        log = try Self.writer(directory)
    }

    /// A writer of the log: its own instance and file system, as another ctfix process would be.
    static func writer(_ directory: String) throws -> AuditLog {
        AuditLog(fileSystem: try RootedFileSystem(root: directory), warnings: CapturedOutput())
    }

    func newWriter() throws -> AuditLog { try Self.writer(directory) }

    var logFile: String { directory + AuditLog.defaultPath }
    var headFile: String { logFile + ".head" }
    func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }
    func lines() throws -> [String] { try String(decoding: bytes(logFile), as: UTF8.self).split(separator: "\n").map(String.init) }
    func identity(_ path: String) throws -> FileIdentity? { try RootedFileSystem(root: "/").identity(of: path) }

    /// Writes `data` into the existing file in place (same inode): truncate, then write.
    func rewriteInPlace(_ path: String, _ data: Data) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: 0)
        try handle.write(contentsOf: data)
        try handle.close()
    }

    func appendTwo(_ writer: AuditLog, _ run: String) throws {
        try writer.append(event: "run_start", runID: run, time: now, fields: ["name": "table-full"])
        try writer.append(event: "intent", runID: run, time: now, fields: ["action": "raise-conntrack-max"])
    }

    /// The memo is used at all: without it every attack below would pass trivially.
    @Test func appendsWithNothingBetweenTrustTheMemoAndStillChain() throws {
        try appendTwo(log, "r1")
        try log.append(event: "run_end", runID: "r1", time: now)
        #expect(log.appendsFromMemo == 2)
        let verified = try log.verify()
        #expect(verified.ok && verified.records == 3 && verified.repairable.isEmpty)
        #expect(try log.records().map(\.seq) == [1, 2, 3])
    }

    /// A file system that gives no identities never has anything trusted.
    @Test func withoutIdentitiesEveryAppendReadsTheTail() throws {
        let memory = AuditLog(fileSystem: InMemoryFileSystem(), warnings: CapturedOutput())
        try appendTwo(memory, "r1")
        #expect(memory.appendsFromMemo == 0)
        #expect(try memory.records().map(\.seq) == [1, 2])
    }

    /// (1) Another writer appends between two appends: the next record chains to its record.
    @Test func anotherWritersRecordIsWhatTheNextRecordChainsTo() throws {
        try appendTwo(log, "r1")
        let other = try newWriter()
        try other.append(event: "serve_decision", runID: "s1", time: now, fields: ["decision": "queued"])
        try log.append(event: "run_end", runID: "r1", time: now)
        #expect(log.appendsFromMemo == 1) // only r1's intent
        let all = try lines()
        let records = try log.records()
        #expect(records.map(\.seq) == [1, 2, 3, 4])
        #expect(records[3].prev == AuditLog.hash(all[2]))
        #expect(try log.verify().ok)
    }

    /// (2) The log truncated and rewritten to the same size, the last record's bytes changed:
    /// same inode and size, another change time. The full path sees a last line the head does
    /// not vouch for and refuses, as it does today; nothing is appended.
    @Test func aSameSizeRewriteOfTheLastRecordIsCaughtNotChainedOver() throws {
        try appendTwo(log, "r1")
        let before = try #require(try identity(logFile))
        let original = try bytes(logFile)
        let edited = Data(String(decoding: original, as: UTF8.self).replacingOccurrences(of: "raise-conntrack-max", with: "lower-conntrack-max").utf8)
        try #require(edited.count == original.count && edited != original)
        try rewriteInPlace(logFile, edited)
        let after = try #require(try identity(logFile))
        #expect(after.inode == before.inode && after.size == before.size)
        #expect(after.changeTimeNanoseconds != before.changeTimeNanoseconds)

        let error = #expect(throws: AuditError.self) {
            try log.append(event: "outcome", runID: "r1", time: now)
        }
        #expect(error?.message.contains("is not the line that was written") == true)
        #expect(try bytes(logFile) == edited)
        #expect(log.appendsFromMemo == 1)
    }

    /// (2b) Rewritten with the very same bytes, or only chmod'd: nothing to refuse, but the
    /// memo is still not trusted (the change time moved).
    @Test(arguments: ["identical", "chmod"])
    func anyChangeOfTheLogSendsTheAppendDownTheFullPath(_ change: String) throws {
        try appendTwo(log, "r1")
        if change == "identical" { try rewriteInPlace(logFile, try bytes(logFile)) } else { chmod(logFile, 0o640) }
        try log.append(event: "run_end", runID: "r1", time: now)
        #expect(log.appendsFromMemo == 1)
        #expect(try log.verify().ok)
        #expect(try log.records().map(\.seq) == [1, 2, 3])
    }

    /// (3) The log replaced by rename with a copy: read again. An exact copy chains on; a copy
    /// without its last record (the head still vouching for it) is refused as today.
    @Test(arguments: [false, true])
    func aLogRenamedOverByACopyIsReadAgain(_ withoutLastRecord: Bool) throws {
        try appendTwo(log, "r1")
        var copy = try lines()
        if withoutLastRecord { copy.removeLast() }
        let content = Data((copy.joined(separator: "\n") + "\n").utf8)
        let temporary = logFile + ".copy"
        try content.write(to: URL(fileURLWithPath: temporary))
        #expect(rename(temporary, logFile) == 0)

        if withoutLastRecord {
            let error = #expect(throws: AuditError.self) { try log.append(event: "run_end", runID: "r1", time: now) }
            #expect(error?.message.contains("head file vouches for 2 records") == true)
            #expect(try bytes(logFile) == content)
        } else {
            try log.append(event: "run_end", runID: "r1", time: now)
            #expect(try log.verify().ok)
            #expect(try log.records().map(\.seq) == [1, 2, 3])
        }
        #expect(log.appendsFromMemo == 1)
    }

    /// (4) The log, or its head, made a symlink between appends: refused as today, and nothing
    /// is written through the link or to the log.
    @Test(arguments: ["log", "head"])
    func aFileMadeASymlinkBetweenAppendsIsRefused(_ which: String) throws {
        try appendTwo(log, "r1")
        let target = which == "log" ? logFile : headFile
        // Beside it, named relatively: the link resolves inside the root to the real bytes.
        let moved = directory + "/var/log/ctfix/elsewhere-" + which
        #expect(rename(target, moved) == 0)
        #expect(symlink("elsewhere-" + which, target) == 0)
        let logBefore = which == "log" ? try bytes(moved) : try bytes(logFile)
        let movedBefore = try bytes(moved)

        let error = #expect(throws: AuditError.self) { try log.append(event: "run_end", runID: "r1", time: now) }
        #expect(error?.message.contains("is a symbolic link") == true)
        #expect(try bytes(moved) == movedBefore)
        #expect(try (which == "log" ? bytes(moved) : bytes(logFile)) == logBefore)
        #expect(log.appendsFromMemo == 1)
    }

    /// The log's directory swapped for a link to a directory holding another chain (inside the
    /// root, where links are followed as the host would): the record chains to that chain's last
    /// record, never to the one this instance remembers.
    @Test func aDirectorySwappedForALinkToAnotherChainIsReadAgain() throws {
        try appendTwo(log, "r1")
        let otherRoot = directory + "/other"
        try FileManager.default.createDirectory(atPath: otherRoot, withIntermediateDirectories: true)
        let other = AuditLog(fileSystem: try RootedFileSystem(root: otherRoot), warnings: CapturedOutput())
        try appendTwo(other, "o1")
        try other.append(event: "run_end", runID: "o1", time: now)
        let logDirectory = directory + "/var/log/ctfix"
        #expect(rename(logDirectory, directory + "/var/log/ctfix-old") == 0)
        #expect(symlink("/other/var/log/ctfix", logDirectory) == 0)

        try log.append(event: "run_end", runID: "r1", time: now)
        #expect(log.appendsFromMemo == 1)
        #expect(try other.records().map(\.seq) == [1, 2, 3, 4])
        #expect(try other.verify().ok)
    }

    /// The limit README states: where change times are coarse (simulated: identities without
    /// one), a same-size rewrite of the last record between two appends goes unseen by the
    /// second, which chains to the record it remembers; `verify` then names the break.
    @Test func aRewriteACoarseChangeTimeMissesIsStillFoundByVerify() throws {
        let coarse = AuditLog(fileSystem: CoarseChangeTimes(inner: try RootedFileSystem(root: directory)), warnings: CapturedOutput())
        try appendTwo(coarse, "r1")
        let original = try bytes(logFile)
        try rewriteInPlace(logFile, Data(String(decoding: original, as: UTF8.self).replacingOccurrences(of: "raise-conntrack-max", with: "lower-conntrack-max").utf8))
        try coarse.append(event: "run_end", runID: "r1", time: now)
        #expect(coarse.appendsFromMemo == 2)
        let verified = try coarse.verify()
        #expect(!verified.ok)
        #expect(verified.firstBadLine == 3)
        #expect(verified.problem?.contains("hash chain broken") == true)
    }

    /// The directory removed between appends: created again, a new chain starts.
    @Test func aDirectoryRemovedBetweenAppendsIsCreatedAgain() throws {
        try appendTwo(log, "r1")
        try FileManager.default.removeItem(atPath: directory + "/var/log/ctfix")
        try log.append(event: "run_end", runID: "r1", time: now)
        #expect(log.appendsFromMemo == 1)
        #expect(try log.records().map(\.seq) == [1])
        #expect(try log.verify().ok)
    }
}

/// A real file system whose identities carry no change time, as on a file system whose change
/// times are too coarse to tell two writes in one clock tick apart.
struct CoarseChangeTimes: FileSystem {
    let inner: RootedFileSystem
    var rootDescription: String { inner.rootDescription }
    func readFile(_ path: String) throws(FileSystemError) -> Data { try inner.readFile(path) }
    func info(_ path: String) throws(FileSystemError) -> FileInfo? { try inner.info(path) }
    func listDirectory(_ path: String) throws(FileSystemError) -> [String] { try inner.listDirectory(path) }
    func openForReading(_ path: String) throws(FileSystemError) -> any RandomAccessReader { try inner.openForReading(path) }
    func realPath(of path: String) -> String? { inner.realPath(of: path) }
    func isSymbolicLink(_ path: String) -> Bool { inner.isSymbolicLink(path) }
    func writeAtomically(_ data: Data, to path: String, mode: Int) throws(FileSystemError) { try inner.writeAtomically(data, to: path, mode: mode) }
    func replaceQuickly(_ data: Data, at path: String) throws(FileSystemError) { try inner.replaceQuickly(data, at: path) }
    func writeInPlace(_ data: Data, to path: String) throws(FileSystemError) { try inner.writeInPlace(data, to: path) }
    func appendDurably(_ data: Data, to path: String) throws(FileSystemError) { try inner.appendDurably(data, to: path) }
    func truncateFile(_ path: String, toLength length: Int64) throws(FileSystemError) { try inner.truncateFile(path, toLength: length) }
    func createDirectory(_ path: String) throws(FileSystemError) { try inner.createDirectory(path) }
    func removeFile(_ path: String) throws(FileSystemError) { try inner.removeFile(path) }
    func lockExclusively(_ path: String, wait: Duration) throws(FileSystemError) -> (any HostLockHandle)? { try inner.lockExclusively(path, wait: wait) }

    static func coarse(_ identity: FileIdentity?) -> FileIdentity? {
        identity.map { FileIdentity(device: $0.device, inode: $0.inode, size: $0.size, changeTimeNanoseconds: 0) }
    }
    func appendDurablyIdentifying(_ data: Data, to path: String) throws(FileSystemError) -> FileIdentity? {
        Self.coarse(try inner.appendDurablyIdentifying(data, to: path))
    }
    func replaceQuicklyIdentifying(_ data: Data, at path: String) throws(FileSystemError) -> FileIdentity? {
        Self.coarse(try inner.replaceQuicklyIdentifying(data, at: path))
    }
    func identity(of path: String) throws(FileSystemError) -> FileIdentity? { Self.coarse(try inner.identity(of: path)) }
}
