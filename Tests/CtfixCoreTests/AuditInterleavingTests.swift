import Foundation
import Testing
@testable import CtfixCore

/// Many writers of one audit log, each an `AuditLog` instance of its own (as separate ctfix
/// processes are), appending in a generated order: each remembers what its own last append
/// left, and must notice every other writer's records in between. Whatever the order, the final
/// log verifies and holds every record exactly once, in one unbroken sequence.
@Suite struct AuditInterleavingTests {
    typealias SplitMix = LogByteSearchTests.SplitMix
    let now = Date(timeIntervalSince1970: 1_700_000_000)

    func scratch() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ctfix-audit-interleave-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }

    func writers(_ count: Int, in directory: String) throws -> [AuditLog] {
        try (0..<count).map { _ in AuditLog(fileSystem: try RootedFileSystem(root: directory), warnings: CapturedOutput()) }
    }

    /// Every record once, numbered 1...total without a gap, each chained to the line before.
    func expectEveryRecordOnce(_ log: AuditLog, writers: Int, appends: Int) throws {
        let verified = try log.verify()
        #expect(verified.ok, "\(verified.problem ?? "")")
        #expect(verified.repairable.isEmpty)
        let records = try log.records()
        #expect(records.map(\.seq) == Array(1...(writers * appends)))
        let keys = records.map { "\($0.runID)#\($0.fields["n"]?.integerValue ?? -1)" }
        let expected = (0..<writers).flatMap { w in (0..<appends).map { "w\(w)#\($0)" } }
        #expect(Set(keys).count == keys.count)
        #expect(keys.sorted() == expected.sorted())
    }

    /// N writers x M appends in a random order (seeded, so a failure can be replayed), some
    /// writers appending several times in a row (the memo trusted) and some after others.
    @Test(arguments: [(3, 12, 1), (5, 20, 2), (2, 40, 3), (8, 6, 4)] as [(Int, Int, UInt64)])
    func aGeneratedOrderOfWritersLeavesEveryRecordOnceAndChained(_ count: Int, _ appends: Int, _ seed: UInt64) throws {
        let directory = try scratch()
        let logs = try writers(count, in: directory)
        var random = SplitMix(state: seed)
        var remaining = Array(repeating: appends, count: count)
        var order: [Int] = []
        while remaining.contains(where: { $0 > 0 }) {
            let writer = Int(random.next() % UInt64(count))
            guard remaining[writer] > 0 else { continue }
            // Bursts of one to three appends by the same writer, so the memo is used too.
            for _ in 0..<min(remaining[writer], 1 + Int(random.next() % 3)) {
                try logs[writer].append(event: "step", runID: "w\(writer)", time: now, fields: ["n": .number(Double(appends - remaining[writer]))])
                remaining[writer] -= 1
                order.append(writer)
            }
        }
        try expectEveryRecordOnce(logs[0], writers: count, appends: appends)
        // The memo was trusted exactly where a writer appended twice in a row.
        let inARow = zip(order, order.dropFirst()).filter { $0 == $1 }.count
        #expect(logs.map(\.appendsFromMemo).reduce(0, +) == inARow)
    }

    /// The same with real concurrency: writers on their own threads, one instance shared by two
    /// threads besides (its memo is behind a mutex and only changed under the file lock).
    @Test func concurrentWritersLeaveEveryRecordOnceAndChained() throws {
        let directory = try scratch()
        let logs = try writers(4, in: directory)
        let appends = 15
        // Threads 0-3 use their own instance; threads 4 and 5 share instance 0 under other run ids.
        let threads = 6
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            let log = logs[thread < 4 ? thread : 0]
            for n in 0..<appends {
                _ = try? log.append(event: "step", runID: "w\(thread)", time: now, fields: ["n": .number(Double(n))])
            }
        }
        try expectEveryRecordOnce(logs[0], writers: threads, appends: appends)
    }
}
