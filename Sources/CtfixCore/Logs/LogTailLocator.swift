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
}

extension LogByteScanner {
    static let backwardChunkSize = 64 << 10
    /// Logs are not perfectly ordered (syslog relays, several writers): a line this much older
    /// than the window start proves the window starts later in the file.
    static let allowedDisorder: TimeInterval = 60

    /// Reads backwards in chunks until a line older than `windowStart − allowedDisorder`, or a
    /// whole chunk of lines older than `windowStart`, shows that everything before it is out
    /// of the window.
    mutating func locateWindowStart(_ reader: any RandomAccessReader, size: Int64, windowStart: Date) throws(FileSystemError) -> LogTailPosition {
        let disorderFloor = windowStart.addingTimeInterval(-Self.allowedDisorder)
        var position = size
        var sawTimestamps = false
        var earliest: Date?
        while position > 0 {
            let start = max(0, position - Int64(Self.backwardChunkSize))
            let chunk = try reader.read(at: start, count: Int(position - start))
            bytesRead += Int64(chunk.count)
            if chunk.isEmpty { break }
            let isFileEnd = position == size
            var timed = 0, older = 0
            var firstTime: Date?
            var farOlderLineStart: Int?
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
                    let header = parser.parseHeader(UnsafeBufferPointer(start: base + lineStart, count: length))
                    if let time = header.time {
                        timed += 1
                        if firstTime == nil { firstTime = time }
                        if time < windowStart { older += 1 }
                        if time < disorderFloor { farOlderLineStart = lineStart }
                    }
                    guard let newline else { break }
                    lineStart = newline + 1
                }
            }
            if timed > 0 {
                sawTimestamps = true
                earliest = firstTime
            }
            if let farOlderLineStart {
                // Everything before the last far-older line is older still.
                return LogTailPosition(offset: start + Int64(farOlderLineStart), isLineStart: true, reachedStart: start == 0,
                                       earliestTime: earliest, sawTimestamps: true)
            }
            if timed > 0, older == timed {
                return LogTailPosition(offset: start, isLineStart: start == 0, reachedStart: start == 0,
                                       earliestTime: earliest, sawTimestamps: true)
            }
            position = start
        }
        return LogTailPosition(offset: 0, isLineStart: true, reachedStart: true, earliestTime: earliest, sawTimestamps: sawTimestamps)
    }
}
