import Foundation
import Testing
@testable import CtfixCore

/// The per-CPU stat files and namespace discovery that counter predicates, `status` and the
/// per-namespace actions read: hostile files are refused with the line, counters wrap and
/// restart the way the kernel's `unsigned int` does, and the live kernel's files parse.
@Suite struct KernelStatTableTests {
    static let header = "entries  clashres found new invalid ignore delete chainlength insert insert_failed drop early_drop icmp_error  expect_new expect_create expect_delete search_restart"

    static func row(entries: UInt32 = 0, drop: UInt32 = 0, earlyDrop: UInt32 = 0, insertFailed: UInt32 = 0) -> String {
        var values = [UInt32](repeating: 0, count: 17)
        values[0] = entries
        values[9] = insertFailed
        values[10] = drop
        values[11] = earlyDrop
        return values.map { String(format: "%08x", $0) }.joined(separator: " ")
    }

    static func table(_ rows: [String]) throws -> KernelStatTable {
        try KernelStatTable.parse(([header] + rows).joined(separator: "\n") + "\n").get()
    }

    @Test func sumsCountersOverCPUsAndReadsTheGaugeOnce() throws {
        let table = try Self.table([Self.row(entries: 100, drop: 5, earlyDrop: 1), Self.row(entries: 100, drop: 0x2a)])
        #expect(table.rows.count == 2)
        #expect(table.total("drop") == 47)
        #expect(table.total("early_drop") == 1)
        #expect(table.total("entries") == 100)
        #expect(table.total("no_such_column") == nil)
    }

    @Test func increaseAcrossSamples() throws {
        let earlier = try Self.table([Self.row(drop: 5), Self.row(drop: 7, earlyDrop: 2)])
        let later = try Self.table([Self.row(drop: 15), Self.row(drop: 7, earlyDrop: 5)])
        let increase = try later.increase(since: earlier, columns: ["drop", "early_drop"]).get()
        #expect(increase.total == 13)
        #expect(increase.byColumn.map(\.increase) == [10, 3])
        #expect(increase.note == nil)
    }

    @Test func aThirtyTwoBitCounterThatWrapsCountsTheStepsAcrossTheWrap() throws {
        let earlier = try Self.table([Self.row(drop: UInt32.max - 2)])
        let later = try Self.table([Self.row(drop: 4)])
        let increase = try later.increase(since: earlier, columns: ["drop"]).get()
        #expect(increase.total == 7)
        #expect(increase.wrappedRows == 1)
        #expect(increase.note?.contains("wrapped") == true)
    }

    @Test func aWideCounterThatGoesDownRestartedFromZero() throws {
        let earlier = try KernelStatTable.parse("drop\n100000000a\n").get()
        let later = try KernelStatTable.parse("drop\n00000005\n").get()
        let increase = try later.increase(since: earlier, columns: ["drop"]).get()
        #expect(increase.total == 5)
        #expect(increase.resetRows == 1)
    }

    @Test func aCPUAddedBetweenSamplesCountsFromZeroAndIsSaid() throws {
        let earlier = try Self.table([Self.row(drop: 5)])
        let later = try Self.table([Self.row(drop: 6), Self.row(drop: 3)])
        let increase = try later.increase(since: earlier, columns: ["drop"]).get()
        #expect(increase.total == 4)
        #expect(increase.unmatchedRows == 1)
        let fewer = try earlier.increase(since: later, columns: ["drop"]).get()
        #expect(fewer.unmatchedRows == 1)
    }

    @Test func aGaugeOrAMissingColumnIsNotAnIncrease() throws {
        let table = try Self.table([Self.row()])
        #expect(throws: KernelStatTable.MissingColumn.self) { try table.increase(since: table, columns: ["entries"]).get() }
        let missing = table.increase(since: table, columns: ["dropp"])
        guard case .failure(let failure) = missing else { Issue.record("expected a failure"); return }
        #expect(failure.message.contains("no column 'dropp'"))
        #expect(failure.message.contains("early_drop"))
    }

    @Test(arguments: [
        ("", 1, "empty"),
        ("entries drop\n", 2, "no CPU rows"),
        ("entries drop\n00000001\n", 2, "1 values for 2 columns"),
        ("entries drop\n00000001 0000000g\n", 2, "not a hexadecimal"),
        ("entries drop\n00000001 00000000000000001\n", 2, "not a hexadecimal"),
        ("entries drop\n00000001 -0000001\n", 2, "not a hexadecimal"),
        ("entries dr\u{1B}[2Kop\n00000001 00000001\n", 1, "not a word"),
        ("drop drop\n1 1\n", 1, "twice"),
        ("a b\n1 1\n1 1 1\n", 3, "3 values"),
    ])
    func malformedFilesAreRefusedWithTheLine(_ text: String, _ line: Int, _ message: String) {
        guard case .failure(let error) = KernelStatTable.parse(text) else { Issue.record("parsed: \(text)"); return }
        #expect(error.line == line)
        #expect(error.message.contains(message), "\(error.message)")
        #expect(!error.message.contains("\u{1B}"))
    }

    @Test func generatedGarbageNeverCrashesTheParser() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("0123456789abcdefABCDEFxyz _\t\n\r-\u{00A0}é\u{1B}")
        for _ in 0..<2000 {
            let count = Int.random(in: 0..<200, using: &generator)
            let text = String((0..<count).map { _ in alphabet.randomElement(using: &generator)! })
            if case .success(let table) = KernelStatTable.parse(text) {
                #expect(table.rows.allSatisfy { $0.count == table.columns.count })
            }
        }
        let wide = "a\n" + String(repeating: "1\n", count: KernelStatTable.maximumRows + 1)
        #expect((try? KernelStatTable.parse(wide).get()) == nil)
    }

    @Test func theLiveKernelsConntrackTableParses() throws {
        guard let text = try? String(contentsOfFile: "/proc/net/stat/nf_conntrack", encoding: .utf8) else { return }
        let table = try KernelStatTable.parse(text).get()
        for column in ["entries", "drop", "early_drop", "insert_failed", "search_restart"] {
            #expect(table.index(of: column) != nil, "\(column)")
        }
        let cpus = ProcessInfo.processInfo.processorCount
        #expect(table.rows.count >= cpus)
    }
}
