import Foundation
import Synchronization
import Testing
@testable import CtfixCore

/// `counter:` on fake roots whose stat files change between the samples: the scripted clock's
/// waits rewrite the files, so each test states exactly what the kernel counted meanwhile.
@Suite struct CounterPredicateTests {
    static let header = KernelStatTableTests.header
    static let start = Date(timeIntervalSince1970: 1_800_000_000)
    static let conntrack = "/proc/net/stat/nf_conntrack"

    static func file(entries: UInt32 = 100, drops: [UInt32], earlyDrops: [UInt32]? = nil) -> String {
        ([header] + drops.enumerated().map { cpu, drop in
            KernelStatTableTests.row(entries: entries, drop: drop, earlyDrop: earlyDrops?[cpu] ?? 0)
        }).joined(separator: "\n") + "\n"
    }

    /// A host whose files become `after` during the first wait.
    static func host(_ before: [String: String], after: [String: String], remove: [String] = [])
        -> (CtfixContext, ScriptedClock, InMemoryFileSystem) {
        let fs = InMemoryFileSystem(before)
        fs.setLink("/proc/self/ns/net", "net:[4026531833]")
        fs.setLink("/proc/1/ns/net", "net:[4026531833]")
        let changed = Atomic<Bool>(false)
        let clock = ScriptedClock(start) { _, _ in
            guard !changed.exchange(true, ordering: .relaxed) else { return }
            for (path, text) in after { fs.set(path, text) }
            for path in remove { try? fs.removeFile(path) }
        }
        return (CtfixContext(fileSystem: fs, clock: clock), clock, fs)
    }

    static let drops = "counter:\n  stat: nf_conntrack\n  columns: [drop, early_drop]\n  over: 10s\n  above: 0\n"

    @Test func dropsThatRiseBetweenTheSamplesHold() async throws {
        let (ctx, clock, _) = Self.host([Self.conntrack: Self.file(drops: [5, 7])],
                                        after: [Self.conntrack: Self.file(drops: [15, 7], earlyDrops: [0, 2])])
        let result = try await evaluate(Self.drops, in: EvaluationContext(host: ctx))
        #expect(result.state == .holds)
        #expect(clock.sleeps == [.seconds(10)])
        #expect(result.detail.hasPrefix("drop+early_drop rose by 12 in 10s (1.2/s) in initial netns 4026531833"), "\(result.detail)")
        #expect(result.readings.first?.value == 12)
        #expect(result.predicate == "/proc/net/stat/nf_conntrack drop+early_drop increase over 10s above 0")
    }

    @Test func countersThatStayPutDoNotHoldAndNotOfThemHolds() async throws {
        let flat = [Self.conntrack: Self.file(drops: [5, 7])]
        let (ctx, _, _) = Self.host(flat, after: flat)
        let result = try await evaluate(Self.drops, in: EvaluationContext(host: ctx))
        #expect(result.state == .doesNotHold)
        #expect(result.detail.contains("rose by 0 in 10s (0/s)"), "\(result.detail)")
        let (again, _, _) = Self.host(flat, after: flat)
        let negated = try await evaluate("not:\n" + Self.drops.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"),
                                         in: EvaluationContext(host: again))
        #expect(negated.state == .holds)
    }

    @Test func aNamespaceInTroubleIsNamedAndOneThatEndsIsSkipped() async throws {
        var before = [Self.conntrack: Self.file(drops: [0])]
        before["/proc/4242/net/stat/nf_conntrack"] = Self.file(drops: [100])
        before["/proc/4242/comm"] = "nginx\n"
        before["/proc/5000/net/stat/nf_conntrack"] = Self.file(drops: [3])
        before["/proc/5000/comm"] = "short-lived\n"
        let (ctx, _, fs) = Self.host(before, after: ["/proc/4242/net/stat/nf_conntrack": Self.file(drops: [157])],
                                     remove: ["/proc/5000/net/stat/nf_conntrack"])
        fs.setLink("/proc/4242/ns/net", "net:[4026532177]")
        fs.setLink("/proc/5000/ns/net", "net:[4026532300]")
        let result = try await evaluate(Self.drops, in: EvaluationContext(host: ctx))
        #expect(result.state == .holds)
        #expect(result.detail.contains("rose by 57 in 10s (5.7/s) in netns 4026532177 (pid 4242 nginx)"), "\(result.detail)")
        #expect(result.detail.contains("netns 4026532300 (pid 5000 short-lived) ended between the samples"))
        #expect(result.readings.map(\.source).contains("/proc/4242/net/stat/nf_conntrack"))
    }

    @Test func aCounterThatWrappedCountsAcrossTheWrap() async throws {
        let (ctx, _, _) = Self.host([Self.conntrack: Self.file(drops: [UInt32.max - 1])], after: [Self.conntrack: Self.file(drops: [3])])
        let result = try await evaluate(Self.drops, in: EvaluationContext(host: ctx))
        #expect(result.readings.first?.value == 5)
        #expect(result.detail.contains("wrapped at 2^32"))
    }

    @Test(arguments: [
        ([String: String](), "is absent (conntrack not loaded"),
        ([conntrack: "entries drop\n00000001\n"], "/proc/net/stat/nf_conntrack:2: 1 values for 2 columns"),
        ([conntrack: "entr\u{1B}[2Jies drop\n1 1\n"], "not a word"),
        ([conntrack: "entries drop\n00000001 00000002\n"], "no column 'early_drop' (it has: entries drop)"),
    ])
    func whatCannotBeMeasuredIsUnknownWithTheReason(_ files: [String: String], _ reason: String) async throws {
        let (ctx, _, _) = Self.host(files, after: files)
        let result = try await evaluate(Self.drops, in: EvaluationContext(host: ctx))
        #expect(result.state == .unknown)
        #expect(result.detail.contains(reason), "\(result.detail)")
        #expect(!result.detail.contains("\u{1B}"))
    }

    @Test func anInterruptedWaitIsUnknown() async throws {
        let (ctx, clock, _) = Self.host([Self.conntrack: Self.file(drops: [1])], after: [:])
        clock.interrupted.store(true, ordering: .releasing)
        let result = try await evaluate(Self.drops, in: EvaluationContext(host: ctx))
        #expect(result.state == .unknown)
        #expect(result.detail.contains("interrupted while sampling"))
    }

    @Test func perSecondComparesTheRateAndOtherStatFilesWork() async throws {
        let arp = "/proc/net/stat/arp_cache"
        let before = "entries  allocs destroys hash_grows lookups hits res_failed rcv_probes_mcast rcv_probes_ucast periodic_gc_runs forced_gc_runs unresolved_discards table_fulls\n"
            + "00000004  00000010 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000\n"
        let after = before.replacingOccurrences(of: "00000000\n", with: "0000001e\n")
        let (ctx, _, _) = Self.host([arp: before], after: [arp: after])
        let yaml = "counter:\n  stat: arp_cache\n  columns: table_fulls\n  over: 10s\n  per: second\n  above: 2\n"
        let result = try await evaluate(yaml, in: EvaluationContext(host: ctx))
        #expect(result.state == .holds, "\(result.detail)")
        #expect(result.detail.contains("table_fulls rose by 30 in 10s (3/s)"))
        #expect(result.threshold == 2)
    }

    @Test func forOnACounterMeasuresEachStepAfresh() async throws {
        let fs = InMemoryFileSystem([Self.conntrack: Self.file(drops: [0])])
        let drops = Atomic<UInt32>(0)
        let clock = ScriptedClock(Self.start) { _, _ in
            let next = drops.add(5, ordering: .relaxed).newValue
            fs.set(Self.conntrack, Self.file(drops: [next]))
        }
        let ctx = CtfixContext(fileSystem: fs, clock: clock)
        let yaml = Self.drops.replacingOccurrences(of: "above: 0\n", with: "above: 0\n  for: 30s\n")
        let result = try await evaluate(yaml, in: EvaluationContext(host: ctx))
        #expect(result.state == .holds, "\(result.detail)")
        #expect(result.detail.contains("held at all"), "\(result.detail)")
    }

    @Test func usageJudgesEachNamespaceByItsOwnCountAgainstTheGlobalMax() async throws {
        var before = [Self.conntrack: Self.file(entries: 10, drops: [4]), "/proc/sys/net/netfilter/nf_conntrack_max": "100\n"]
        before["/proc/4242/net/stat/nf_conntrack"] = Self.file(entries: 100, drops: [0])
        let after = [Self.conntrack: Self.file(entries: 10, drops: [9]),
                     "/proc/4242/net/stat/nf_conntrack": Self.file(entries: 100, drops: [30])]
        func run(_ usage: String) async throws -> PredicateResult {
            let (ctx, _, fs) = Self.host(before, after: after)
            fs.setLink("/proc/4242/ns/net", "net:[4026532177]")
            let yaml = Self.drops + "  usage:\n    \(usage)\n"
            return try await evaluate(yaml, in: EvaluationContext(host: ctx))
        }
        let full = try await run("above: 90%")
        #expect(full.state == .holds)
        #expect(full.detail.contains("rose by 30 in 10s (3/s) in netns 4026532177 (pid 4242) at 100 / 100 = 100% full"), "\(full.detail)")
        #expect(!full.detail.contains("initial netns 4026531833 at"), "the initial namespace drops at 10% and is not the full one")
        let roomy = try await run("below: 50%")
        #expect(roomy.state == .holds)
        #expect(roomy.detail.contains("rose by 5 in 10s") && roomy.detail.contains("10 / 100 = 10% full"), "\(roomy.detail)")
        #expect(!roomy.detail.contains("4026532177 (pid 4242) at"))
    }

    @Test func theOldEraFileIsReadWhenTheModernOneIsAbsent() async throws {
        let old = "/proc/net/stat/ip_conntrack"
        let header = "entries  searched found new invalid ignore delete delete_list insert insert_failed drop early_drop icmp_error  expect_new expect_create expect_delete"
        let row = { (drop: Int) in "00004100  00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 " + String(format: "%08x", drop) + " 00000000 00000000  00000000 00000000 00000000" }
        let (ctx, _, _) = Self.host([old: header + "\n" + row(1) + "\n"], after: [old: header + "\n" + row(12) + "\n"])
        let yaml = "counter:\n  stat: [nf_conntrack, ip_conntrack]\n  columns: [drop, early_drop]\n  above: 0\n"
        let result = try await evaluate(yaml, in: EvaluationContext(host: ctx))
        #expect(result.state == .holds, "\(result.detail)")
        #expect(result.readings.first?.source == old)
    }
}
