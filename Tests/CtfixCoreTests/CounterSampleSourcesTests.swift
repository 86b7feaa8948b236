import Foundation
import Synchronization
import Testing
@testable import CtfixCore

/// Where a counter's two samples come from when ctfix cannot or should not wait: watch's saved
/// previous sample (across a restart), the evaluation just made, a snapshot's recorded pair.
@Suite struct CounterSampleSourcesTests {
    static let conntrack = CounterPredicateTests.conntrack
    static let drops = CounterPredicateTests.drops

    static func file(_ drop: UInt32) -> String { CounterPredicateTests.file(drops: [drop]) }

    @Test func watchMeasuresFromTheSavedSampleAcrossARestart() async throws {
        let fs = InMemoryFileSystem([Self.conntrack: Self.file(5), PolicyState.bootIDPath: "boot-a\n"])
        let clock = ScriptedClock(CounterPredicateTests.start) { _, _ in fs.set(Self.conntrack, Self.file(6)) }
        let ctx = CtfixContext(fileSystem: fs, clock: clock)
        var store = CounterSampleStore()
        // First evaluation: no previous sample, so it waits `over`.
        let first = try await evaluate(Self.drops, in: EvaluationContext(host: ctx, counterSamples: store))
        #expect(first.state == .holds)
        #expect(clock.sleeps.count == 1)
        // watch saves and restarts; 30 s later the kernel has counted 4 more drops.
        var state = WatchState()
        state.counterSamples = store.saved
        try state.save(fs)
        store = CounterSampleStore(try WatchState.load(fs).counterSamples)
        clock.advance(by: .seconds(30))
        fs.set(Self.conntrack, Self.file(10))
        let second = try await evaluate(Self.drops, in: EvaluationContext(host: ctx, counterSamples: store))
        #expect(clock.sleeps.count == 1, "no second wait")
        #expect(second.detail.contains("rose by 4 in 30s"), "\(second.detail)")
        // Right after (the run watch starts): the measurement just made is reused.
        let reused = try await evaluate(Self.drops, in: EvaluationContext(host: ctx, counterSamples: store))
        #expect(clock.sleeps.count == 1)
        #expect(reused.detail.contains("rose by 4 in 30s") && reused.detail.contains("measured at the previous evaluation"), "\(reused.detail)")
    }

    @Test func aSampleFromAnotherBootOrTooOldIsNotUsed() async throws {
        let fs = InMemoryFileSystem([Self.conntrack: Self.file(500), PolicyState.bootIDPath: "boot-b\n"])
        let clock = ScriptedClock(CounterPredicateTests.start)
        let ctx = CtfixContext(fileSystem: fs, clock: clock)
        let old = KernelStatTable(columns: ["drop", "early_drop"], rows: [[0, 0]])
        let store = CounterSampleStore(["4026531833:/proc/net/stat/nf_conntrack": .init(bootID: "boot-a", takenAt: CounterPredicateTests.start.addingTimeInterval(-20), table: old)])
        fs.setLink("/proc/self/ns/net", "net:[4026531833]")
        fs.setLink("/proc/1/ns/net", "net:[4026531833]")
        let result = try await evaluate(Self.drops, in: EvaluationContext(host: ctx, counterSamples: store))
        #expect(clock.sleeps == [.seconds(10)], "sampled twice instead")
        #expect(result.state == .doesNotHold, "\(result.detail)")
    }

    static func snapshotRoot(samples: RecordedStatSamples?) throws -> InMemoryFileSystem {
        let fs = InMemoryFileSystem([Self.conntrack: Self.file(40),
                                     "/ctfix-snapshot.json": #"{"captured_at": "2024-03-14T03:12:40Z", "hostname": "edge"}"#])
        if let samples { fs.setData(RecordedStatSamples.path, try samples.encoded()) }
        return fs
    }

    @Test func aSnapshotIsJudgedByItsRecordedPairWithoutWaiting() async throws {
        let taken = Date(timeIntervalSince1970: 1_710_386_000)
        let samples = RecordedStatSamples(samples: [
            .init(path: Self.conntrack, takenAt: taken.addingTimeInterval(2), text: Self.file(40)),
            .init(path: Self.conntrack, takenAt: taken, text: Self.file(20)),
        ])
        let clock = ScriptedClock(taken)
        let ctx = CtfixContext(fileSystem: try Self.snapshotRoot(samples: samples), clock: clock)
        let result = try await evaluate(Self.drops, in: EvaluationContext(host: ctx))
        #expect(result.state == .holds)
        #expect(clock.sleeps.isEmpty)
        #expect(result.detail.contains("rose by 20 in 2s (10/s)"), "\(result.detail)")
        #expect(result.detail.contains("samples recorded at"))
    }

    @Test(arguments: [nil, RecordedStatSamples(samples: [])])
    func aSnapshotWithoutTwoSamplesIsUnknown(_ samples: RecordedStatSamples?) async throws {
        let clock = ScriptedClock(Date())
        let ctx = CtfixContext(fileSystem: try Self.snapshotRoot(samples: samples), clock: clock)
        let result = try await evaluate(Self.drops, in: EvaluationContext(host: ctx))
        #expect(result.state == .unknown)
        #expect(result.detail.contains("a single reading cannot show an increase"))
        #expect(clock.sleeps.isEmpty)
    }

    @Test(arguments: ["{", "{\"samples\": [{\"path\": 1}]}", String(repeating: " ", count: RecordedStatSamples.maximumBytes + 1)])
    func aMalformedSampleFileIsUnknownNamingIt(_ text: String) async throws {
        let fs = try Self.snapshotRoot(samples: nil)
        fs.set(RecordedStatSamples.path, text)
        let result = try await evaluate(Self.drops, in: EvaluationContext(host: CtfixContext(fileSystem: fs, clock: ScriptedClock(Date()))))
        #expect(result.state == .unknown)
        #expect(result.detail.contains(RecordedStatSamples.path))
    }

    @Test func verificationNeverStartsFromASampleTakenBeforeTheActions() async throws {
        let fs = InMemoryFileSystem([Self.conntrack: Self.file(5), PolicyState.bootIDPath: "boot-a\n"])
        let clock = ScriptedClock(CounterPredicateTests.start)
        let ctx = CtfixContext(fileSystem: fs, clock: clock)
        let store = CounterSampleStore()
        // Detection (watch or serve) took a sample; then drops went on until the actions ran.
        _ = try? await evaluate(Self.drops, in: EvaluationContext(host: ctx, counterSamples: store))
        let sleepsBefore = clock.sleeps.count
        clock.advance(by: .seconds(30))
        fs.set(Self.conntrack, Self.file(500))
        let actions = clock.now()
        // Verification: the pre-action sample would show 495 drops; it must measure afresh.
        let verify = try await evaluate(Self.drops, in: EvaluationContext(host: ctx, notBefore: actions, counterSamples: store))
        #expect(clock.sleeps.count == sleepsBefore + 1, "sampled twice after the actions")
        #expect(verify.state == .doesNotHold, "\(verify.detail)")
        #expect(verify.detail.contains("rose by 0 in 10s"), "\(verify.detail)")
        // …and its sample is where the next measurement starts.
        clock.advance(by: .seconds(60))
        fs.set(Self.conntrack, Self.file(502))
        let next = try await evaluate(Self.drops, in: EvaluationContext(host: ctx, counterSamples: store))
        #expect(next.detail.contains("rose by 2 in 1m"), "\(next.detail)")
    }

    @Test func serveKeepsItsSamplesInAFileAndIgnoresAMalformedOne() throws {
        let fs = InMemoryFileSystem()
        let store = CounterSampleStore(maximumAge: .seconds(600))
        store.remember(path: Self.conntrack, netns: 1, bootID: "b", table: KernelStatTable(columns: ["drop"], rows: [[7]]), at: CounterPredicateTests.start)
        try store.save(fs, path: CounterSampleStore.servePath)
        let loaded = CounterSampleStore.load(fs, path: CounterSampleStore.servePath, maximumAge: .seconds(600))
        #expect(loaded.saved == store.saved)
        #expect(loaded.previous(path: Self.conntrack, netns: 1, bootID: "b", now: CounterPredicateTests.start.addingTimeInterval(599)) != nil)
        #expect(loaded.previous(path: Self.conntrack, netns: 1, bootID: "b", now: CounterPredicateTests.start.addingTimeInterval(601)) == nil)
        fs.set(CounterSampleStore.servePath, "{not json")
        #expect(CounterSampleStore.load(fs, path: CounterSampleStore.servePath, maximumAge: .seconds(600)).saved.isEmpty)
    }

    @Test func oneCheckOfTwoPlaybooksWaitsOnceAndAForStepMeasuresAfresh() async throws {
        let directory = try TrustedScratch.directory("check-two")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var paths: [String] = []
        for (name, columns) in [("drops-a", "[drop, early_drop]"), ("drops-b", "[drop]")] {
            let path = "\(directory)/\(name).yaml"
            try TrustedScratch.write("""
                version: 1
                name: \(name)
                summary: Drops rise.
                detect:
                  counter: {stat: nf_conntrack, columns: \(columns), over: 5s, above: 0}
                actions:
                  - name: nothing
                    explain: Runs nothing.
                    risk: safe
                    command: {argv: [/bin/true]}
                """, to: path)
            paths.append(path)
        }
        let fs = InMemoryFileSystem([Self.conntrack: Self.file(5), PolicyState.bootIDPath: "boot-a\n"])
        let drops = Atomic<UInt32>(5)
        let clock = ScriptedClock(CounterPredicateTests.start) { _, _ in
            fs.set(Self.conntrack, Self.file(drops.add(3, ordering: .relaxed).newValue))
        }
        let output = CapturedOutput()
        let status = await CheckCommand(paths: paths).run(CtfixContext(fileSystem: fs, clock: clock, output: output))
        #expect(status == .critical, "\(output.standardOutput)")
        #expect(clock.sleeps == [.seconds(5)], "the second playbook reused the first one's measurement")
        #expect(output.standardOutput.components(separatedBy: "rose by 3 in 5s").count == 3, "\(output.standardOutput)")

        // `for:` steps measure afresh each time, never the cached pair.
        let store = CounterSampleStore()
        let yaml = Self.drops.replacingOccurrences(of: "above: 0\n", with: "above: 0\n  for: 20s\n")
        let result = try await evaluate(yaml, in: EvaluationContext(host: CtfixContext(fileSystem: fs, clock: clock), counterSamples: store))
        #expect(result.state == .holds, "\(result.detail)")
        #expect(clock.sleeps.count > 4, "each step sampled twice: \(clock.sleeps)")
    }
}
