/// How much counters grew between two samples of the same stat file, CPU by CPU.
public struct CounterIncrease: Sendable, Equatable {
    /// The summed increase of the requested columns over every CPU.
    public var total: UInt64
    /// Per column, the summed increase (same order as asked).
    public var byColumn: [(column: String, increase: UInt64)]
    /// CPU rows whose counter went down and was read as a 32-bit wrap.
    public var wrappedRows: Int
    /// CPU rows whose counter went down and cannot have wrapped (a value above 32 bits
    /// before): read as a restart from zero, the later value being the increase (as
    /// Prometheus's `increase()` treats a counter reset).
    public var resetRows: Int
    /// Rows present in only one sample (CPU hot-plug, or samples of different machines):
    /// a row only in the later sample counts from zero; one only in the earlier is ignored.
    public var unmatchedRows: Int

    public static func == (lhs: CounterIncrease, rhs: CounterIncrease) -> Bool {
        lhs.total == rhs.total && lhs.wrappedRows == rhs.wrappedRows && lhs.resetRows == rhs.resetRows
            && lhs.unmatchedRows == rhs.unmatchedRows
            && lhs.byColumn.map(\.column) == rhs.byColumn.map(\.column) && lhs.byColumn.map(\.increase) == rhs.byColumn.map(\.increase)
    }

    /// What the reader should know about how the figure was made, or nil when it is plain.
    public var note: String? {
        var parts: [String] = []
        if wrappedRows > 0 { parts.append("\(wrappedRows) CPU counter\(wrappedRows == 1 ? "" : "s") wrapped at 2^32") }
        if resetRows > 0 { parts.append("\(resetRows) CPU counter\(resetRows == 1 ? "" : "s") restarted from zero") }
        if unmatchedRows > 0 { parts.append("CPU rows changed between samples (\(unmatchedRows) unmatched)") }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }
}

extension KernelStatTable {
    /// The increase of `columns` from `earlier` to this sample. Per-CPU counters of these
    /// files are the kernel's `unsigned int` (printed `%08x`): a row whose value went down
    /// wrapped at 2^32 when both values fit in 32 bits; otherwise the counter restarted.
    /// Rows are matched by position (the kernel prints one per *possible* CPU, so hot-plug
    /// does not usually move them). Nil for a column either sample lacks, or a gauge.
    public func increase(since earlier: KernelStatTable, columns wanted: [String]) -> Result<CounterIncrease, MissingColumn> {
        var result = CounterIncrease(total: 0, byColumn: [], wrappedRows: 0, resetRows: 0, unmatchedRows: abs(rows.count - earlier.rows.count))
        for column in wanted {
            if Self.gauges.contains(column) { return .failure(MissingColumn(column: column, isGauge: true, available: columns)) }
            guard let now = index(of: column), let then = earlier.index(of: column) else {
                return .failure(MissingColumn(column: column, isGauge: false, available: columns))
            }
            var sum: UInt64 = 0
            for (cpu, row) in rows.enumerated() {
                let later = row[now]
                let delta: UInt64
                if cpu < earlier.rows.count {
                    let before = earlier.rows[cpu][then]
                    if later >= before {
                        delta = later - before
                    } else if before <= UInt64(UInt32.max), later <= UInt64(UInt32.max) {
                        delta = (UInt64(UInt32.max) - before) + later + 1
                        result.wrappedRows += 1
                    } else {
                        delta = later
                        result.resetRows += 1
                    }
                } else {
                    delta = later
                }
                sum = sum.addingReportingOverflow(delta).overflow ? .max : sum + delta
            }
            result.byColumn.append((column, sum))
            result.total = result.total.addingReportingOverflow(sum).overflow ? .max : result.total + sum
        }
        return .success(result)
    }

    /// A column a predicate named that this sample does not have (or that is a gauge).
    public struct MissingColumn: Error, Sendable, Equatable {
        public var column: String
        public var isGauge: Bool
        public var available: [String]

        public var message: String {
            isGauge ? "'\(column)' is a gauge (the current count), not a counter; read it with value: instead"
                : "this kernel's table has no column '\(column)' (it has: \(available.joined(separator: " ")))"
        }
    }
}
