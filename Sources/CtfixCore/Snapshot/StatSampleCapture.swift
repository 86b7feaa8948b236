import Foundation

/// The two timed samples of the conntrack statistics file a snapshot carries
/// (`/ctfix-stat-samples.json`, see `RecordedStatSamples`): a `counter` predicate reviewing the
/// snapshot elsewhere computes how fast drops rose between them. The later sample is also
/// written at its own path, so node_exporter pointed at the snapshot reads it.
struct StatSampleCapture {
    static let names = ["nf_conntrack", "ip_conntrack"]

    let ctx: CtfixContext
    var first: [RecordedStatSamples.Sample] = []

    init(ctx: CtfixContext) { self.ctx = ctx }

    /// Takes the first sample of every file present (before the rest of the capture). Only
    /// on the live host: a root that is not (a snapshot, an example host) has no kernel
    /// counting, and its own recorded samples are carried over instead.
    mutating func start() {
        guard ctx.isLiveHost else { return }
        first = Self.names.compactMap { sample("/proc/net/stat/" + $0) }
    }

    func sample(_ path: String) -> RecordedStatSamples.Sample? {
        guard let text = try? ctx.fileSystem.readText(path) else { return nil }
        return RecordedStatSamples.Sample(path: path, netns: NetNamespaces.own(in: ctx.fileSystem), takenAt: ctx.clock.now(), text: text)
    }

    /// Waits until `interval` has passed since the first sample, takes the second, and writes
    /// both; returns a note for the manifest or the reason nothing was written.
    func finish(interval: Duration, into writer: SnapshotWriter) async -> Result<String, SnapshotError> {
        if !ctx.isLiveHost {
            guard case .success(let recorded?) = RecordedStatSamples.read(from: ctx.fileSystem) else {
                return .success("no counter samples: \(ctx.fileSystem.rootDescription) is not the live host and carries none")
            }
            do {
                try writer.writeFile(try recorded.encoded(), at: RecordedStatSamples.path)
                for sample in recorded.samples {
                    if let later = recorded.pair(for: sample.path)?.later, later == sample {
                        try writer.writeFile(Data(later.text.utf8), at: later.path)
                    }
                }
            } catch let error as SnapshotError {
                return .failure(error)
            } catch {
                return .success("counter samples could not be encoded: \(error)")
            }
            return .success("\(RecordedStatSamples.path): the root's recorded counter samples, carried over")
        }
        guard let earliest = first.map(\.takenAt).min() else {
            return .success("no /proc/net/stat/nf_conntrack: no counter samples (conntrack not loaded)")
        }
        let elapsed = ctx.clock.now().timeIntervalSince(earliest)
        if elapsed < interval.seconds {
            let rest = Duration.milliseconds(Int64((interval.seconds - elapsed) * 1000))
            let sleeper = ctx.sleeper
            // (Standard output is already plain under --json: `TerminalStyle.decide`.)
            guard await WaitNotice.choose(ctx, json: false).wait(rest, output: ctx.output, line: "for the second counter sample",
                                                                  live: { "second counter sample in \($0) s…" }, sleep: {
                await sleeper.sleep(for: $0, tick: $1)
            }) else {
                return .success("interrupted before the second counter sample: no counter samples kept")
            }
        }
        var samples = first
        for earlier in first {
            guard let later = sample(earlier.path) else { continue }
            samples.append(later)
            do { try writer.writeFile(Data(later.text.utf8), at: later.path) } catch { return .failure(error) }
        }
        do {
            try writer.writeFile(try RecordedStatSamples(samples: samples).encoded(), at: RecordedStatSamples.path)
        } catch let error as SnapshotError {
            return .failure(error)
        } catch {
            return .success("counter samples could not be encoded: \(error)")
        }
        let seconds = NumberText.fixed((samples.last?.takenAt ?? earliest).timeIntervalSince(earliest), decimals: 1)
        return .success("\(RecordedStatSamples.path): two samples of \(first.map(\.path).joined(separator: ", ")) \(seconds) s apart (counter predicates read the increase between them)")
    }
}
