import Foundation

/// How a `counter` predicate gets two samples of a stat file per network namespace:
/// from the two a snapshot recorded; from the previous evaluation (`watch`, through a
/// `CounterSampleStore`); or by reading, waiting `over`, and reading again (`check`, `run`).
struct CounterSampling {
    /// The stat file's names under `…/net/stat/`, the first that exists wins
    /// (`nf_conntrack`, then the 2.6.18 era's `ip_conntrack`).
    var stats: [String]

    /// Two samples of one namespace's file.
    struct Pair {
        var namespace: NetNamespace
        var path: String
        var earlier: KernelStatTable
        var later: KernelStatTable
        var seconds: Double
    }

    enum Outcome {
        case measured([Pair], notes: [String])
        case unknown(String)
    }

    /// The first of the alternatives present in the namespace (the first when none is).
    func path(in namespace: NetNamespace, _ fs: any FileSystem) -> String {
        let candidates = stats.map { namespace.procNet + "/stat/" + $0 }
        return candidates.first(where: { fs.exists($0) }) ?? candidates[0]
    }

    var shownName: String { "/proc/net/stat/" + stats.joined(separator: " or ") }

    func read(_ path: String, in fileSystem: any FileSystem) -> Result<KernelStatTable, HostReadFailure> {
        let text: String
        do { text = try fileSystem.readText(path) } catch {
            return .failure(HostReadFailure(path: path, message: error.description, isAbsent: error.reason == .notFound))
        }
        return KernelStatTable.parse(text).mapError { HostReadFailure(path: path, message: "\(path):\($0.line): \($0.message)") }
    }

    func measure(over: Duration, in context: EvaluationContext) async -> Outcome {
        let fs = context.host.fileSystem
        if (try? SnapshotManifest.read(from: fs)) != nil { return recorded(in: fs, notBefore: context.notBefore) }
        let namespaces = context.netNamespaces
        let bootID = (try? fs.readText(PolicyState.bootIDPath))?.trimmed(.whitespacesAndNewlines)
        var firsts: [(NetNamespace, String, KernelStatTable, Date)] = []
        var reused: [Pair] = []
        var failures: [HostReadFailure] = []
        var waitFor: Duration = .zero
        for namespace in namespaces {
            let path = path(in: namespace, fs)
            let now = context.host.clock.now()
            // A sample from before `notBefore` (verification: before the actions) is no start.
            if let store = context.counterSamples, let previous = store.previous(path: path, netns: namespace.id, bootID: bootID, now: now),
               context.notBefore.map({ previous.latest.takenAt >= $0 }) ?? true {
                let age = Duration.milliseconds(Int64(now.timeIntervalSince(previous.latest.takenAt) * 1000))
                if age < over, let prior = previous.prior, context.notBefore.map({ prior.takenAt >= $0 }) ?? true {
                    // Measured moments ago (watch's evaluation just before the run it starts):
                    // that measurement is the answer, not a second wait.
                    reused.append(Pair(namespace: namespace, path: path, earlier: prior.table, later: previous.latest.table,
                                       seconds: previous.latest.takenAt.timeIntervalSince(prior.takenAt)))
                    continue
                }
                firsts.append((namespace, path, previous.latest.table, previous.latest.takenAt))
                waitFor = max(waitFor, age < over ? over - age : .zero)
                continue
            }
            switch read(path, in: fs) {
            case .success(let table):
                firsts.append((namespace, path, table, now))
                // Kept as the prior of the sample read after the wait, so a caller measuring
                // again right away (the next playbook of one `check`, the run watch starts)
                // reuses this measurement instead of waiting once more.
                context.counterSamples?.remember(path: path, netns: namespace.id, bootID: bootID, table: table, at: now)
                waitFor = over
            case .failure(let failure):
                failures.append(failure)
            }
        }
        if firsts.isEmpty, !reused.isEmpty { return .measured(reused, notes: ["measured at the previous evaluation"]) }
        guard !firsts.isEmpty else {
            let reason = failures.first.map { $0.isAbsent ? "\(shownName) is absent (conntrack not loaded, or a kernel without this statistics file)" : $0.message }
            return .unknown(reason ?? "no network namespace found to read \(shownName) in")
        }
        if waitFor > .zero {
            guard await context.wait(waitFor, doing: "sampling \(shownName)") else {
                return .unknown("interrupted while sampling \(shownName) (\(DurationText.format(over)) between two readings)")
            }
        }
        var pairs: [Pair] = reused
        var notes: [String] = []
        var laterFailures: [HostReadFailure] = []
        for (namespace, path, earlier, earlierTime) in firsts {
            let now = context.host.clock.now()
            switch read(path, in: fs) {
            case .success(let later):
                // A clock that did not move (`--now` fixes it) gives the time waited instead.
                let measured = now.timeIntervalSince(earlierTime)
                pairs.append(Pair(namespace: namespace, path: path, earlier: earlier, later: later,
                                  seconds: measured > 0 ? measured : max(waitFor.seconds, 0.001)))
                context.counterSamples?.remember(path: path, netns: namespace.id, bootID: bootID, table: later, at: now)
            case .failure(let failure):
                if namespace.isInitial || !failure.isAbsent { laterFailures.append(failure) } else {
                    notes.append("\(namespace.displayName) ended between the samples")
                }
            }
        }
        guard !pairs.isEmpty else {
            return .unknown(laterFailures.first?.message ?? "no namespace could be sampled twice")
        }
        notes += laterFailures.map(\.message)
        return .measured(pairs, notes: notes)
    }

    /// A snapshot cannot wait: its two recorded samples, or unknown with the reason.
    func recorded(in fs: any FileSystem, notBefore: Date?) -> Outcome {
        switch RecordedStatSamples.read(from: fs) {
        case .failure(let failure): return .unknown(failure.message)
        case .success(let samples):
            guard let (path, pair) = stats.lazy.map({ "/proc/net/stat/" + $0 }).compactMap({ path in samples?.pair(for: path).map { (path, $0) } }).first else {
                return .unknown("this snapshot has no two timed samples of \(shownName) (\(RecordedStatSamples.path)): a single reading cannot show an increase")
            }
            let parse = { (sample: RecordedStatSamples.Sample) in
                KernelStatTable.parse(sample.text).mapError {
                    HostReadFailure(path: RecordedStatSamples.path, message: "\(RecordedStatSamples.path): \(path) sample at \(PreciseTime.format(sample.takenAt)), line \($0.line): \($0.message)")
                }
            }
            if let notBefore, pair.earlier.takenAt < notBefore {
                return .unknown("the snapshot's counter samples (\(PreciseTime.format(pair.later.takenAt))) predate what is being checked (after \(PreciseTime.format(notBefore))); a snapshot's counters cannot be measured again")
            }
            switch (parse(pair.earlier), parse(pair.later)) {
            case let (.success(earlier), .success(later)):
                let namespace = NetNamespace(id: pair.later.netns ?? 0, pid: 1, processName: nil, processCount: 0, isInitial: true)
                return .measured([Pair(namespace: namespace, path: path, earlier: earlier, later: later,
                                       seconds: pair.later.takenAt.timeIntervalSince(pair.earlier.takenAt))],
                                 notes: ["samples recorded at \(PreciseTime.format(pair.earlier.takenAt)) and \(PreciseTime.format(pair.later.takenAt))"])
            case let (.failure(failure), _), let (_, .failure(failure)):
                return .unknown(failure.message)
            }
        }
    }
}
