/// One per-CPU statistics file of `/proc/net/stat` (`nf_conntrack`, `arp_cache`, `rt_cache`…):
/// a header naming the columns, then one row per possible CPU of hexadecimal numbers.
///
/// This is the kernel's own record of what happened to packets (`drop`, `early_drop`,
/// `insert_failed`…), and unlike a rate-limited log line it counts every event. The file
/// is per network namespace (`/proc/PID/net/stat/…` shows PID's namespace).
///
/// ```text
/// entries  clashres found new invalid ignore delete chainlength insert insert_failed drop …
/// 00000064  00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 0000002a …
/// ```
public struct KernelStatTable: Sendable, Equatable {
    /// Column names in file order.
    public var columns: [String]
    /// One row per CPU, each with one value per column.
    public var rows: [[UInt64]]

    /// Columns that are gauges, not counters: the same value printed on every CPU's row
    /// (`entries` of `nf_conntrack` is the namespace's current count). Their value is the
    /// first row's, never a sum, and an "increase" of a gauge means nothing.
    public static let gauges: Set<String> = ["entries"]

    /// At most this many CPU rows and columns are read (a corrupt or hostile file stays cheap).
    public static let maximumRows = 8192
    public static let maximumColumns = 128

    public init(columns: [String], rows: [[UInt64]]) {
        self.columns = columns
        self.rows = rows
    }

    /// Why a stat file could not be read as a table: the line (1-based) and what was wrong.
    public struct ParseError: Error, Sendable, Equatable {
        public var line: Int
        public var message: String
    }

    /// Parses the file's text. Columns are separated by runs of spaces or tabs (the kernel
    /// pads some with two spaces); each value is hexadecimal, up to 16 digits.
    public static func parse(_ text: String) -> Result<KernelStatTable, ParseError> {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        while let last = lines.last, last.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" }) { lines.removeLast() }
        guard let header = lines.first else { return .failure(ParseError(line: 1, message: "empty file: no header line")) }
        let columns = header.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard !columns.isEmpty else { return .failure(ParseError(line: 1, message: "empty header line")) }
        guard columns.count <= maximumColumns else {
            return .failure(ParseError(line: 1, message: "\(columns.count) columns; at most \(maximumColumns) are read"))
        }
        for name in columns where !name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) {
            return .failure(ParseError(line: 1, message: "header has a column name that is not a word: \(TerminalText.escape(name))"))
        }
        guard Set(columns).count == columns.count else { return .failure(ParseError(line: 1, message: "header names a column twice")) }
        guard lines.count - 1 <= maximumRows else {
            return .failure(ParseError(line: maximumRows + 2, message: "more than \(maximumRows) CPU rows"))
        }
        var rows: [[UInt64]] = []
        for (offset, line) in lines.dropFirst().enumerated() {
            let number = offset + 2
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            guard fields.count == columns.count else {
                return .failure(ParseError(line: number, message: "\(fields.count) values for \(columns.count) columns"))
            }
            var row: [UInt64] = []
            row.reserveCapacity(fields.count)
            for field in fields {
                guard field.count <= 16, let value = UInt64(field, radix: 16) else {
                    return .failure(ParseError(line: number, message: "not a hexadecimal counter: \(TerminalText.escape(String(field.prefix(40))))"))
                }
                row.append(value)
            }
            rows.append(row)
        }
        guard !rows.isEmpty else { return .failure(ParseError(line: 2, message: "no CPU rows after the header")) }
        return .success(KernelStatTable(columns: columns, rows: rows))
    }

    /// The column's index, nil when this kernel's file has no such column.
    public func index(of column: String) -> Int? { columns.firstIndex(of: column) }

    /// The column's value for the whole namespace: the sum over CPUs for a counter, the first
    /// row for a gauge (`entries`). Nil when the column is absent. Saturates rather than wraps.
    public func total(_ column: String) -> UInt64? {
        guard let index = index(of: column) else { return nil }
        if Self.gauges.contains(column) { return rows.first?[index] }
        return rows.reduce(UInt64(0)) { sum, row in
            let (value, overflow) = sum.addingReportingOverflow(row[index])
            return overflow ? .max : value
        }
    }
}
