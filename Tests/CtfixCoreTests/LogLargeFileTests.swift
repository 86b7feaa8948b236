import Foundation
import Testing
@testable import CtfixCore
#if canImport(Glibc)
import Glibc
#endif

/// Real files and the real kernel: a windowed check reads only the tail of a large log, and
/// the live `/dev/kmsg` is read without blocking.
@Suite struct LogLargeFileTests {
    static let now = LogTestHost.date("2024-11-08T12:00:00Z")

    /// About `lines` lines of kern.log, one per second up to a second before `now`, a table-full
    /// line every seventh; returns the file and how many table-full lines fall in the last 15m.
    static func writeKernLog(lines: Int, into directory: LogTestHost.TemporaryDirectory) throws -> (size: Int, inWindow: Int) {
        var text = ""
        text.reserveCapacity(lines * 200)
        var inWindow = 0
        let start = now.timeIntervalSince1970 - Double(lines)
        for index in 0..<lines {
            let seconds = Int(start) + index
            let clock = seconds % 86_400
            let stamp = String(format: "Nov  8 %02d:%02d:%02d", clock / 3600, clock % 3600 / 60, clock % 60)
            let uptime = String(format: "[%d.%06d]", 100_000 + index, index * 37 % 1_000_000)
            if index % 7 == 0 {
                text += "\(stamp) fw1 kernel: \(uptime) nf_conntrack: nf_conntrack: table full, dropping packet\n"
                if Double(seconds) >= now.timeIntervalSince1970 - 900 { inWindow += 1 }
            } else {
                text += "\(stamp) fw1 kernel: \(uptime) [UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 SRC=203.0.113.\(index % 250) DST=198.51.100.7 LEN=60 TOS=0x00 PREC=0x00 TTL=52 ID=\(index % 65536) DF PROTO=TCP SPT=\(1024 + index % 60000) DPT=443 WINDOW=64240 RES=0x00 SYN URGP=0\n"
            }
        }
        try directory.write("var/log/kern.log", text)
        return (text.utf8.count, inWindow)
    }

    @Test func windowedCheckOfALargeFileReadsOnlyItsTail() async throws {
        let directory = try LogTestHost.TemporaryDirectory()
        let (size, expected) = try Self.writeKernLog(lines: 24_000, into: directory)
        #expect(size > 4 << 20)
        let host = CtfixContext(fileSystem: try RootedFileSystem(root: directory.path), clock: FixedClock(Self.now),
                                environment: ["TZ": "UTC"])
        let context = EvaluationContext(host: host)
        let scan = await KernelLogScanner().scan(pattern: LogTestHost.pattern(), within: .seconds(900), in: context)
        #expect(scan.count == expected)
        #expect(scan.readSources.map(\.name) == ["/var/log/kern.log"])
        // 15 minutes of this log are about 200 KiB: read once backwards in 64 KiB chunks to find
        // where the window starts, once forwards to count.
        #expect(scan.bytesRead < 640 << 10)
        #expect(scan.bytesRead < Int64(size / 8))
        #expect(scan.matches.count == 20)
        #expect(scan.matches.allSatisfy { $0.line == nil }) // a tail read cannot know line numbers

        let predicate = await LogPredicate.make(within: "15m").evaluate(in: context)
        let bytesReading = try #require(predicate.readings.first { $0.name == "log bytes read" })
        #expect(bytesReading.value == Double(scan.bytesRead))
    }

    @Test func fullScanReadsEverythingAndNumbersLines() async throws {
        let directory = try LogTestHost.TemporaryDirectory()
        let (size, _) = try Self.writeKernLog(lines: 24_000, into: directory)
        let host = CtfixContext(fileSystem: try RootedFileSystem(root: directory.path), clock: FixedClock(Self.now),
                                environment: ["TZ": "UTC"])
        let scan = await KernelLogScanner().scan(pattern: LogTestHost.pattern(), within: nil, in: EvaluationContext(host: host))
        #expect(scan.bytesRead == Int64(size))
        #expect(scan.count == (24_000 + 6) / 7)
        #expect(scan.matches.last?.line == 23_997) // index 23996 is the last multiple of 7, line numbers are 1-based
    }

    @Test func patternWithoutALiteralStillFindsEveryLine() async throws {
        let directory = try LogTestHost.TemporaryDirectory()
        _ = try Self.writeKernLog(lines: 3_000, into: directory)
        let host = CtfixContext(fileSystem: try RootedFileSystem(root: directory.path), clock: FixedClock(Self.now),
                                environment: ["TZ": "UTC"])
        let scan = await KernelLogScanner().scan(pattern: LogTestHost.pattern("(nf|ip)_conntrack: .*full"), within: nil,
                                                 in: EvaluationContext(host: host))
        #expect(scan.count == (3_000 + 6) / 7)
    }

    static var kmsgIsReadable: Bool {
        let fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return false }
        close(fd)
        return true
    }

    @Test(.enabled(if: kmsgIsReadable, "/dev/kmsg is not readable here"), .timeLimit(.minutes(1)))
    func liveKmsgIsReadWithoutBlocking() async throws {
        let host = CtfixContext(fileSystem: try RootedFileSystem(root: "/"), isLiveHost: true)
        // Any kernel line: the ring buffer wraps (the full-table test floods it), so the boot's
        // "Linux version" line is not always there, but the buffer is never empty of kernel lines.
        let scan = await KernelLogScanner().scan(pattern: LogTestHost.pattern("."), within: nil,
                                                 sources: [.kmsg], in: EvaluationContext(host: host))
        #expect(scan.readSources.map(\.name) == ["/dev/kmsg"])
        #expect(scan.count >= 1)
        #expect(scan.matches.first?.text.isEmpty == false)
        #expect(scan.matches.first?.time != nil) // converted with /proc/stat btime
    }

    @Test(.enabled(if: kmsgIsReadable, "/dev/kmsg is not readable here"), .timeLimit(.minutes(1)))
    func liveDefaultChainAnswersPromptly() async throws {
        // Real journalctl (if any) through the real command runner, then /dev/kmsg.
        let host = try CtfixContext.live()
        let scan = await KernelLogScanner().scan(pattern: LogTestHost.pattern("."), within: nil,
                                                 in: EvaluationContext(host: host))
        #expect(scan.readSources.count == 1)
        #expect(scan.count >= 1, "read \(scan.sources)")
    }
}
