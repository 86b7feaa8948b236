import Foundation

/// The instants a windowed check counts: from `start` (now − within, or a later `notBefore`)
/// to `end` (now, plus a little slack for a line logged while the check runs).
public struct LogWindow: Sendable, Equatable {
    public var start: Date
    public var end: Date

    public init(start: Date, end: Date) {
        self.start = start
        self.end = end
    }

    public func contains(_ time: Date) -> Bool { time >= start && time <= end }
}

/// Scans one log's bytes forward in large chunks, touching only lines that can matter: the
/// pattern's required literal and the words `suppressed` and `repeated` are searched on raw bytes (memmem),
/// and only the lines holding them are parsed and given to the regex. Lines are counted with
/// vector compares so line numbers and the "within 3 lines" rule stay exact.
struct LogByteScanner {
    static let forwardChunkSize = 1 << 20
    /// Longer lines are cut here (a corrupt log must not make ctfix hold it all in memory).
    static let maximumLineLength = 64 << 10

    let pattern: CompiledPattern
    let sourceName: String
    var parser: KernelLogLineParser
    /// Bytes read from the reader so far (what the benchmark and tests look at).
    var bytesRead: Int64 = 0
    /// Facilities counted besides kernel lines (`LogFacilities`).
    var facilities: Set<Int> = LogFacilities.kernelOnly
    /// Lines the pattern could not decide (over its limits).
    var undecided = UndecidedLines()

    private let literal: [UInt8]?

    init(pattern: CompiledPattern, sourceName: String, parser: KernelLogLineParser) {
        self.pattern = pattern
        self.sourceName = sourceName
        self.parser = parser
        self.literal = pattern.requiredLiteral
    }

    /// How one forward pass filters lines.
    struct Pass {
        /// Lines outside it (or without a time) are skipped; nil counts every line.
        var window: LogWindow?
        /// The 1-based number of the first line read, when known (a tail read starts mid-file).
        var firstLineNumber: Int?
        /// Start mid-line: skip to the first newline first.
        var skipsPartialFirstLine: Bool
        /// Parse every line's time, not only the lines that can match: for a log whose times
        /// go backwards, so a DST fall-back hour is read as the hour it is
        /// (`KernelLogLineParser.ambiguityHint`).
        var readsEveryLine = false
    }

    /// Reads `[start, end)` forward, giving matches and notices to `accumulator`.
    mutating func scanForward(_ reader: any RandomAccessReader, from start: Int64, to end: Int64, pass: Pass,
                              into accumulator: inout MatchAccumulator) throws(FileSystemError) {
        var offset = start
        var carry: [UInt8] = []
        var skipping = pass.skipsPartialFirstLine
        var lineIndex = 0
        while offset < end {
            let chunk = try reader.read(at: offset, count: Int(min(Int64(Self.forwardChunkSize), end - offset)))
            if chunk.isEmpty { break }
            offset += Int64(chunk.count)
            bytesRead += Int64(chunk.count)
            chunk.withUnsafeBufferPointer { buffer in
                let base = buffer.baseAddress!
                var blockStart = 0
                if skipping {
                    guard let newline = ByteSearch.firstIndex(of: ByteSearch.newline, in: base, from: 0, to: buffer.count) else { return }
                    blockStart = newline + 1
                    skipping = false
                }
                if !carry.isEmpty {
                    let newline = ByteSearch.firstIndex(of: ByteSearch.newline, in: base, from: blockStart, to: buffer.count)
                    Self.append(&carry, UnsafeBufferPointer(rebasing: buffer[blockStart..<(newline ?? buffer.count)]))
                    guard let newline else { return }
                    carry.withUnsafeBufferPointer { processLine($0, index: lineIndex, pass: pass, into: &accumulator) }
                    lineIndex += 1
                    carry.removeAll(keepingCapacity: true)
                    blockStart = newline + 1
                }
                if let lastNewline = ByteSearch.lastIndex(of: ByteSearch.newline, in: base, from: blockStart, to: buffer.count) {
                    lineIndex += processBlock(base, from: blockStart, to: lastNewline + 1, firstIndex: lineIndex,
                                              pass: pass, into: &accumulator)
                    blockStart = lastNewline + 1
                }
                Self.append(&carry, UnsafeBufferPointer(rebasing: buffer[blockStart...]))
            }
        }
        if !carry.isEmpty {
            carry.withUnsafeBufferPointer { processLine($0, index: lineIndex, pass: pass, into: &accumulator) }
        }
    }

    private static func append(_ carry: inout [UInt8], _ piece: UnsafeBufferPointer<UInt8>) {
        let room = maximumLineLength - carry.count
        guard room > 0, !piece.isEmpty else { return }
        carry.append(contentsOf: UnsafeBufferPointer(rebasing: piece.prefix(room)))
    }

    /// Processes complete lines `[from, to)` (`to` just after a newline); returns the number
    /// of lines in the block.
    private mutating func processBlock(_ base: UnsafePointer<UInt8>, from: Int, to: Int, firstIndex: Int,
                                       pass: Pass, into accumulator: inout MatchAccumulator) -> Int {
        var index = firstIndex
        var cursor = from
        guard let literal, !pass.readsEveryLine else {
            // No literal every match must contain: every line goes to the regex.
            while cursor < to, let newline = ByteSearch.firstIndex(of: ByteSearch.newline, in: base, from: cursor, to: to) {
                processLine(UnsafeBufferPointer(start: base + cursor, count: min(newline - cursor, Self.maximumLineLength)),
                            index: index, pass: pass, into: &accumulator)
                index += 1
                cursor = newline + 1
            }
            return index - firstIndex
        }
        var counted = from
        // The pattern's literal, the rate-limiter word and the repeat-line word: only lines
        // holding one of them can matter.
        let keywords = [literal, SuppressionNotice.keyword, RepeatNotice.keyword]
        var next = keywords.map { ByteSearch.find($0, in: base, from: from, to: to) }
        while true {
            guard let hit = next.compactMap({ $0 }).min() else {
                return index - firstIndex + ByteSearch.countNewlines(in: base, from: counted, to: to)
            }
            let lineStart = ByteSearch.lastIndex(of: ByteSearch.newline, in: base, from: cursor, to: hit).map { $0 + 1 } ?? cursor
            let lineEnd = ByteSearch.firstIndex(of: ByteSearch.newline, in: base, from: hit, to: to) ?? to
            index += ByteSearch.countNewlines(in: base, from: counted, to: lineStart)
            counted = lineStart
            processLine(UnsafeBufferPointer(start: base + lineStart, count: min(lineEnd - lineStart, Self.maximumLineLength)),
                        index: index, pass: pass, into: &accumulator)
            cursor = min(lineEnd + 1, to)
            for (which, position) in next.enumerated() where position.map({ $0 < cursor }) ?? false {
                next[which] = ByteSearch.find(keywords[which], in: base, from: cursor, to: to)
            }
        }
    }

    /// Decides what one line is: another program's, a rate-limiter notice, a match, or
    /// nothing; and whether it counts (inside the window) or only helps attribution.
    private mutating func processLine(_ raw: UnsafeBufferPointer<UInt8>, index: Int, pass: Pass,
                                      into accumulator: inout MatchAccumulator) {
        let line = parser.stripsMarkdownFences ? KernelLogLineParser.strippingMarkdownFences(raw)
            : KernelLogLineParser.trimmingCarriageReturn(raw)
        let header = parser.parseHeader(line)
        if let time = header.time { parser.ambiguityHint = time }
        var counts = true
        if let window = pass.window {
            counts = header.time.map(window.contains) ?? false
        }
        let host = header.host.map { ByteCursor(line).text($0) }
        if let repeated = header.repeatedCount,
           accumulator.addRepeat(count: repeated, at: index, host: host, counts: counts) { return }
        guard LogFacilities.accepts(isKernel: header.isKernel, facility: header.facility, facilities),
              header.format != .kmsgContinuation else { return }
        if header.decodedMessage == nil {
            let start = min(header.messageStart, line.count)
            let message = UnsafeBufferPointer(rebasing: line[start...])
            if let count = SuppressionNotice.suppressedCount(in: message) {
                accumulator.addSuppressionNotice(count: count, at: index, counts: counts)
                return
            }
            if let literal, !ByteSearch.contains(literal, in: message) { return }
        } else if let decoded = header.decodedMessage, let count = SuppressionNotice.suppressedCount(in: decoded) {
            accumulator.addSuppressionNotice(count: count, at: index, counts: counts)
            return
        }
        guard undecided.matches(pattern, KernelLogLineParser.message(of: header, in: line)) else { return }
        let match = LogMatch(time: header.time, source: sourceName, line: pass.firstLineNumber.map { $0 + index },
                             text: String(decoding: line, as: UTF8.self))
        accumulator.addMatch(match, at: index, counts: counts, host: host)
    }
}
