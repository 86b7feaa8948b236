import Foundation

extension CounterPredicate {
    /// One measurement: two samples per namespace, the increase of the columns in each, the
    /// comparison in each. Holds when it holds in at least one namespace (so `not:` means
    /// "in none"); the detail names where.
    func evaluateOnce(in context: EvaluationContext) async -> PredicateResult {
        let predicate = summaryLine(comparison.summaryLine(parameters: context.parameters),
                                    usageText: usage?.summaryLine(parameters: context.parameters))
        let interval: Duration
        switch over.resolve(context.parameters, key: "over", within: Self.overRange) {
        case .success(let value): interval = value
        case .failure(let failure): return .unknown(kind: Self.keyword, predicate: predicate, failure.message)
        }
        let sampling = CounterSampling(stats: stats)
        let pairs: [CounterSampling.Pair]
        var notes: [String]
        switch await sampling.measure(over: interval, in: context) {
        case .unknown(let reason): return .unknown(kind: Self.keyword, predicate: predicate, reason)
        case .measured(let measured, let measuredNotes): (pairs, notes) = (measured, measuredNotes)
        }
        var limit: Reading?
        if usage != nil {
            switch SysctlValueSource(knownKeys: Self.maxKeys).read(in: context) {
            case .success(let reading) where reading.value > 0: limit = reading
            case .success(let reading):
                return .unknown(kind: Self.keyword, predicate: predicate, "usage: \(reading.name) = \(formatNumber(reading.value)): no share of it can be computed")
            case .failure(let failure):
                return .unknown(kind: Self.keyword, predicate: predicate, "usage: \(failure.message)")
            }
        }
        var held: [(String, Double)] = []
        var troubled: [UInt64] = []
        var quiet: [(String, Double)] = []
        var readings: [Reading] = []
        var threshold: Double?
        for pair in pairs {
            let increase: CounterIncrease
            switch pair.later.increase(since: pair.earlier, columns: columns) {
            case .success(let value): increase = value
            case .failure(let missing):
                return .unknown(kind: Self.keyword, predicate: predicate, "\(pair.path): \(missing.message)", readings: readings)
            }
            let total = Double(increase.total)
            let rate = total / pair.seconds
            let measured = perSecond ? rate : total
            var shown = "\(columnsText) rose by \(formatNumber(total)) in \(Self.seconds(pair.seconds)) (\(Self.rate(rate))) in \(pair.namespace.displayName)"
            var usageHolds = true
            if let usage, let limit {
                guard let entries = pair.later.total("entries") else {
                    return .unknown(kind: Self.keyword, predicate: predicate, "usage: \(pair.path) has no entries column", readings: readings)
                }
                let share = Double(entries) / limit.value
                shown += " at \(formatNumber(Double(entries))) / \(formatNumber(limit.value)) = \(ValueText.percent(share)) full"
                switch usage.evaluate(share, parameters: context.parameters) {
                case .success(let outcome): usageHolds = outcome.holds
                case .failure(let failure):
                    return .unknown(kind: Self.keyword, predicate: predicate, "\(shown), but \(failure.message)", readings: readings)
                }
            }
            if let note = increase.note { notes.append("\(pair.namespace.displayName): \(note)") }
            if readings.count < 32 {
                readings.append(Reading(name: "\(columnsText) increase (\(pair.namespace.isInitial ? "initial netns" : "netns \(pair.namespace.id)"))",
                                        source: pair.path, value: total, unit: "events",
                                        note: "\(Self.rate(rate)) over \(Self.seconds(pair.seconds))"))
            }
            switch comparison.evaluate(measured, parameters: context.parameters) {
            case .failure(let failure):
                return .unknown(kind: Self.keyword, predicate: predicate, "\(shown), but \(failure.message)", readings: readings)
            case .success(let outcome):
                threshold = outcome.threshold
                if outcome.holds && usageHolds {
                    held.append((shown, measured))
                    if !pair.namespace.isInitial { troubled.append(pair.namespace.id) }
                } else {
                    quiet.append((shown, measured))
                }
            }
        }
        let expected = comparison.summaryLine(parameters: context.parameters)
            + (usage.map { " while entries / max \($0.summaryLine(parameters: context.parameters))" } ?? "")
        let detail: String
        if held.isEmpty {
            let top = quiet.max { $0.1 < $1.1 }?.0 ?? "no namespace measured"
            detail = pairs.count == 1 ? "\(top) (not \(expected))" : "in none of \(pairs.count) namespaces \(expected); most: \(top)"
        } else {
            let shown = held.sorted { $0.1 > $1.1 }.prefix(5).map(\.0)
            detail = shown.joined(separator: "; ") + (held.count > 5 ? "; and \(held.count - 5) more namespaces" : "")
                + " (\(expected))"
        }
        if let limit { readings.append(limit) }
        var result = PredicateResult(state: held.isEmpty ? .doesNotHold : .holds, kind: Self.keyword, predicate: predicate,
                                     detail: notes.isEmpty ? detail : detail + "; " + notes.prefix(4).joined(separator: "; "),
                                     readings: readings)
        result.threshold = threshold
        // The namespaces where it held, so actions on per-namespace keys act there.
        if !troubled.isEmpty { result.namespaces = troubled }
        return result
    }

    static func seconds(_ value: Double) -> String {
        value >= 1 && abs(value - value.rounded()) < 0.05 ? DurationText.format(.seconds(Int64(value.rounded())))
            : NumberText.fixed(value, decimals: 1) + "s"
    }

    static func rate(_ perSecond: Double) -> String {
        perSecond >= 10 || perSecond == 0 ? "\(formatNumber(perSecond.rounded()))/s" : NumberText.significant(perSecond, digits: 2) + "/s"
    }
}
