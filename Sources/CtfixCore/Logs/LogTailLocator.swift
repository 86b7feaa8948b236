import Foundation

/// Where a windowed check starts reading a log, found by reading backwards from the end:
/// a 15-minute check of a 1 GiB log reads its last few hundred KiB, not the file.
struct LogTailPosition: Equatable {
    /// The offset to scan forward from (at or before the first line of the window).
    var offset: Int64
    /// True when `offset` is the start of a line; false when it may be mid-line.
    var isLineStart: Bool
    /// True when the search went back to the start of the file.
    var reachedStart: Bool
    /// The time of the earliest timestamped line seen (the file's first, when `reachedStart`).
    var earliestTime: Date?
    /// Whether any line had a timestamp.
    var sawTimestamps: Bool
    /// True when the timestamps were seen out of order (a line newer than a later one by more
    /// than `allowedDisorder`): the whole file is read, every line's time is followed.
    var sawDisorder = false
}

extension LogByteScanner {
    static let backwardChunkSize = 64 << 10
    /// Logs are not perfectly ordered (syslog relays, several writers): lines may go back this
    /// far without the log counting as out of order.
    static let allowedDisorder: TimeInterval = 60
    /// How many timestamped lines in a row, all older than the window start by more than
    /// `allowedDisorder`, prove on an ordered log that the window starts after them.
    static let olderRunLength = 64

    /// Reads backwards in chunks from the end. It stops at a run of `olderRunLength` lines all
    /// older than `windowStart − allowedDisorder` (or at the start of the file), having seen no
    /// line newer than a later one by more than `allowedDisorder`. When it does see such
    /// disorder (a line with a wrong clock after recent ones, a DST fall-back hour, lines
    /// merged from hosts whose clocks differ), no position before the end is safe: it answers
    /// "read the whole file" (`sawDisorder`), which stays within the file's size like any
    /// unwindowed check.
    mutating func locateWindowStart(_ reader: any RandomAccessReader, size: Int64, windowStart: Date) throws(FileSystemError) -> LogTailPosition {
        let disorderFloor = windowStart.addingTimeInterval(-Self.allowedDisorder)
        parser.ambiguityHint = nil
        var position = size
        var sawTimestamps = false
        var earliest: Date?
        var newestLater = Date.distantFuture // the oldest time among the lines after the current one
        var olderRun = 0
        while position > 0 {
            let start = max(0, position - Int64(Self.backwardChunkSize))
            let chunk = try reader.read(at: start, count: Int(position - start))
            bytesRead += Int64(chunk.count)
            if chunk.isEmpty { break }
            let isFileEnd = position == size
            var timed: [(lineStart: Int, time: Date)] = []
            chunk.withUnsafeBufferPointer { buffer in
                let base = buffer.baseAddress!
                var lineStart = 0
                if start > 0 {
                    // The first bytes may be the end of a line that began in an earlier chunk.
                    guard let newline = ByteSearch.firstIndex(of: ByteSearch.newline, in: base, from: 0, to: buffer.count) else { return }
                    lineStart = newline + 1
                }
                while lineStart < buffer.count {
                    let newline = ByteSearch.firstIndex(of: ByteSearch.newline, in: base, from: lineStart, to: buffer.count)
                    // A piece without a newline is a whole line only at the end of the file.
                    guard newline != nil || isFileEnd else { break }
                    let lineEnd = newline ?? buffer.count
                    let length = min(lineEnd - lineStart, Self.maximumLineLength)
                    var line = UnsafeBufferPointer(start: base + lineStart, count: length)
                    if parser.stripsMarkdownFences { line = KernelLogLineParser.strippingMarkdownFences(line) }
                    if let time = parser.parseHeader(line).time { timed.append((lineStart, time)) }
                    guard let newline else { break }
                    lineStart = newline + 1
                }
            }
            if let first = timed.first {
                sawTimestamps = true
                earliest = first.time
            }
            // From the last line of the chunk back to its first.
            for line in timed.reversed() {
                if line.time.timeIntervalSince(newestLater) > Self.allowedDisorder {
                    return LogTailPosition(offset: 0, isLineStart: true, reachedStart: true, earliestTime: nil,
                                           sawTimestamps: true, sawDisorder: true)
                }
                newestLater = min(newestLater, line.time)
                olderRun = line.time < disorderFloor ? olderRun + 1 : 0
                if olderRun >= Self.olderRunLength {
                    // Everything from here on was read back without disorder; before it, older still.
                    return LogTailPosition(offset: start + Int64(line.lineStart), isLineStart: true, reachedStart: start == 0,
                                           earliestTime: line.time, sawTimestamps: true)
                }
            }
            position = start
        }
        return LogTailPosition(offset: 0, isLineStart: true, reachedStart: true, earliestTime: earliest, sawTimestamps: sawTimestamps)
    }
}
