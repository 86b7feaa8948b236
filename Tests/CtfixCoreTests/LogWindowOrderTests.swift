import Foundation
import Testing
@testable import CtfixCore

/// Issue 9 item 4: the window locator is right for any order of timestamps (a brute-force count
/// of the whole file is the oracle), still reads only the tail of a sorted log, and local times
/// across a DST fall-back hour and New Year count in the right window.
@Suite struct LogWindowOrderTests {
    static let full = "nf_conntrack: table full, dropping packet"

    static func stamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    func result(_ text: String, now: Date, within: String = "15m", zone: String = "UTC") async -> PredicateResult {
        let context = LogTestHost.context(["/var/log/messages": text], now: Self.stamp(now), timeZone: zone)
        return await LogPredicate.make(within: within, sources: [.file("/var/log/messages")]).evaluate(in: context)
    }

    enum Order: CaseIterable { case sorted, shuffled, backwardJumps, oldLineAtTheEnd }

    /// Generated logs of 1500–2500 lines (several of the locator's 64 KiB chunks) whose
    /// timestamps are in each kind of order; the count must equal a count of every line.
    @Test(arguments: Order.allCases)
    func anyOrderOfTimestampsCountsWhatABruteForceCountCounts(_ order: Order) async {
        var random = LogByteSearchTests.SplitMix(state: 0x6374_6669_7800 + UInt64(Order.allCases.firstIndex(of: order)!))
        let now = LogTestHost.date("2026-03-01T12:00:00Z")
        let window = 15.0 * 60
        for _ in 0..<12 {
            let lineCount = Int.random(in: 1500...2500, using: &random)
            // sorted first: one to six seconds between lines, the last a little before now
            var elapsed = Double.random(in: 0...30, using: &random)
            var times: [Date] = []
            for _ in 0..<lineCount {
                times.append(now.addingTimeInterval(-elapsed))
                elapsed += Double.random(in: 1...6, using: &random)
            }
            times.reverse()
            switch order {
            case .sorted: break
            case .shuffled: times.shuffle(using: &random)
            case .backwardJumps:
                for _ in 0..<5 {
                    let at = Int.random(in: 0..<lineCount, using: &random)
                    times[at] = times[at].addingTimeInterval(-Double.random(in: 120...86_400, using: &random))
                }
            case .oldLineAtTheEnd:
                times[lineCount - 1] = now.addingTimeInterval(-Double.random(in: 3_600...200_000, using: &random))
            }
            var expected = 0
            var text = ""
            for time in times {
                let matches = Int.random(in: 0..<4, using: &random) == 0
                if matches, time >= now.addingTimeInterval(-window), time <= now.addingTimeInterval(KernelLogScanner.futureSlack) {
                    expected += 1
                }
                text += "\(Self.stamp(time)) fw1 " + (matches ? "kernel: \(Self.full)" : "systemd[1]: Started session of user alice.") + "\n"
            }
            let found = await result(text, now: now)
            #expect(found.count == expected, "order \(order), \(lineCount) lines")
        }
    }

    @Test func oneOldLineAfterRecentMatchesDoesNotHideThem() async {
        let now = LogTestHost.date("2026-03-01T12:00:00Z")
        var text = ""
        for minute in stride(from: 600, through: 1, by: -1) {
            text += "\(Self.stamp(now.addingTimeInterval(Double(-minute * 60)))) fw1 systemd[1]: tick\n"
            if minute <= 5 { text += "\(Self.stamp(now.addingTimeInterval(Double(-minute * 60)))) fw1 kernel: \(Self.full)\n" }
        }
        text += "\(Self.stamp(now.addingTimeInterval(-7_200))) fw1 kernel: clocksource: wrong clock\n"
        let found = await result(text, now: now)
        #expect(found.count == 5)
        #expect(found.state == .holds)
    }

    @Test func aSortedLogIsStillReadOnlyFromItsTail() async {
        let now = LogTestHost.date("2026-03-01T12:00:00Z")
        var text = ""
        for second in stride(from: 40_000, through: 0, by: -2) {
            let body = second % 60 == 0 ? "kernel: \(Self.full)" : "systemd[1]: Started session of user alice."
            text += "\(Self.stamp(now.addingTimeInterval(Double(-second)))) fw1 \(body)\n"
        }
        let found = await result(text, now: now)
        #expect(found.count == 16) // one a minute, both ends inclusive
        let read = text.utf8.count
        let context = LogTestHost.context(["/var/log/messages": text], now: Self.stamp(now))
        let scan = await KernelLogScanner().scan(pattern: LogTestHost.pattern(), within: .seconds(900),
                                                  sources: [.file("/var/log/messages")], in: context)
        #expect(scan.count == 16)
        #expect(scan.bytesRead < Int64(read / 10), "a 15-minute window of a \(read)-byte sorted log read \(scan.bytesRead) bytes")
        #expect(scan.sources.first?.notes.isEmpty == true)
    }

    @Test func aDisorderedLogSaysItWasReadWhole() async {
        let now = LogTestHost.date("2026-03-01T12:00:00Z")
        let text = "\(Self.stamp(now.addingTimeInterval(-60))) fw1 kernel: \(Self.full)\n"
            + "\(Self.stamp(now.addingTimeInterval(-7_200))) fw1 kernel: wrong clock\n"
        let context = LogTestHost.context(["/var/log/messages": text], now: Self.stamp(now))
        let scan = await KernelLogScanner().scan(pattern: LogTestHost.pattern(), within: .seconds(900),
                                                  sources: [.file("/var/log/messages")], in: context)
        #expect(scan.count == 1)
        #expect(scan.sources.first?.notes.contains { $0.contains("read the whole file") } == true)
    }

    // MARK: DST fall-back and New Year

    /// Europe/Berlin falls back on 2026-10-25 at 03:00 CEST (01:00 UTC): local 02:00–02:59 is
    /// written twice. A line a minute, a match every fifth minute, in classic syslog (local time,
    /// no zone); the zone is the host's (`TZ` through the context, as for a live host).
    @Test(arguments: ["2026-10-25T00:50:00Z", "2026-10-25T01:10:00Z", "2026-10-25T01:50:00Z", "2026-10-25T02:20:00Z"])
    func aDSTFallBackHourCountsEachLineOnce(_ nowText: String) async {
        let zone = TimeZone(identifier: "Europe/Berlin")!
        let now = LogTestHost.date(nowText)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = "MMM dd HH:mm:ss"
        var text = ""
        var expected = 0
        var instant = LogTestHost.date("2026-10-24T23:00:00Z")
        while instant <= now {
            let matches = Int(instant.timeIntervalSince1970 / 60) % 5 == 0
            text += "\(formatter.string(from: instant)) fw1 " + (matches ? "kernel: \(Self.full)" : "systemd[1]: tick") + "\n"
            if matches, instant >= now.addingTimeInterval(-900) { expected += 1 }
            instant = instant.addingTimeInterval(60)
        }
        let found = await result(text, now: now, zone: "Europe/Berlin")
        #expect(expected == 4)
        #expect(found.count == expected, "at \(nowText)")
    }

    @Test func aWindowAcrossNewYearCountsBothSides() async {
        let text = """
            Dec 31 23:40:00 fw1 kernel: \(Self.full)
            Dec 31 23:55:00 fw1 kernel: \(Self.full)
            Dec 31 23:59:30 fw1 kernel: \(Self.full)
            Jan  1 00:01:00 fw1 kernel: \(Self.full)
            Jan  1 00:04:00 fw1 kernel: \(Self.full)

            """
        let found = await result(text, now: LogTestHost.date("2027-01-01T00:05:00Z"))
        #expect(found.count == 4)
        #expect(found.matches.first?.time == LogTestHost.date("2026-12-31T23:55:00Z"))
        // a host clock a minute ahead: read at 23:59:45, `Jan  1 00:00:30` is next year's, not a year old
        var parser = KernelLogLineParser(now: LogTestHost.date("2026-12-31T23:59:45Z"), timeZone: TimeZone(identifier: "UTC")!)
        #expect(parser.parse("Jan  1 00:00:30 fw1 kernel: \(Self.full)").time == LogTestHost.date("2027-01-01T00:00:30Z"))
        #expect(parser.parse("Jan  1 00:00:30 fw1 kernel: \(Self.full)").time != LogTestHost.date("2026-01-01T00:00:30Z"))
        let next = await result("Dec 31 23:59:30 fw1 kernel: \(Self.full)\nJan  1 00:00:30 fw1 kernel: \(Self.full)\n",
                                now: LogTestHost.date("2027-01-01T00:01:00Z"), within: "5m")
        #expect(next.count == 2)
    }
}
