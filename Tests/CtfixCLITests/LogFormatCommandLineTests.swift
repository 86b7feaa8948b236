import Foundation
import Testing
import CtfixCore

/// Issue 9 item 4 through the real binary: `ctfix check --root HOST --log FILE` on pasted
/// excerpts from real hosts — an OpenWrt `logread` line is placed in time (in the zone `TZ`
/// names), a line whose clock went back does not hide recent matches, a Markdown fence glued
/// to a line does not lose it, and a repeat line counts.
@Suite struct LogFormatCommandLineTests {
    static let full = "nf_conntrack: table full, dropping packet"

    func check(_ lines: [String], now: String, zone: String = "UTC") async throws -> CommandResult {
        let directory = try TrustedScratch.directory("ctfix-formats")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let log = "\(directory)/pasted.log"
        try TrustedScratch.write(lines.joined(separator: "\n") + "\n", to: log)
        return try await RealKernel.runner.run(["/usr/bin/env", "TZ=\(zone)", try CtfixBinary.path(), "check",
                                                ExampleHostsPaths.playbook("table-full"),
                                                "--root", ExampleHostsPaths.host("debian-healthy"), "--log", log, "--now", now],
                                               timeout: .seconds(60))
    }

    @Test func anOpenWrtLineFiresInsideItsWindowOnlyInTheHostsZone() async throws {
        let line = "Fri Dec 16 10:09:21 2022 kern.warn kernel: [36572.424531] \(Self.full)"
        // 10:09:21 in Berlin is 09:09:21 UTC
        let firing = try await check([line], now: "2022-12-16T09:15:00Z", zone: "Europe/Berlin")
        #expect(firing.exitStatus == 2, "\(firing.standardOutput)")
        #expect(firing.standardOutput.contains("log_matches=1 "))
        let weeksLater = try await check([line], now: "2023-01-10T09:15:00Z", zone: "Europe/Berlin")
        #expect(weeksLater.exitStatus == 0, "\(weeksLater.standardOutput)")
        // read as UTC the line is an hour after 09:15Z: not yet in the window
        let utc = try await check([line], now: "2022-12-16T09:15:00Z", zone: "UTC")
        #expect(utc.exitStatus == 0, "\(utc.standardOutput)")
        let spoof = try await check(["Fri Dec 16 10:09:21 2022 user.notice kernel: \(Self.full)"],
                                    now: "2022-12-16T09:15:00Z", zone: "Europe/Berlin")
        #expect(spoof.exitStatus == 0, "\(spoof.standardOutput)")
    }

    @Test func oneOldLineAfterRecentMatchesStillFires() async throws {
        let lines = ["2024-05-02T14:10:00Z fw1 kernel: \(Self.full)",
                     "2024-05-02T14:11:00Z fw1 kernel: \(Self.full)",
                     "2024-05-02T09:00:00Z fw1 kernel: clocksource: timekeeping watchdog: wrong clock"]
        let result = try await check(lines, now: "2024-05-02T14:20:00Z")
        #expect(result.exitStatus == 2, "\(result.standardOutput)")
        #expect(result.standardOutput.contains("log_matches=2 "))
    }

    @Test func aFenceGluedToAPastedLineKeepsTheLineButNotAQuote() async throws {
        let lines = ["```Dec 16 10:09:21 fw1 kernel: \(Self.full)",
                     "Dec 16 10:09:22 fw1 kernel: \(Self.full)```",
                     "```> Dec 16 10:09:23 fw1 kernel: \(Self.full)",
                     "```Dec 16 10:09:24 fw1 alice: kernel: \(Self.full)```"]
        let result = try await check(lines, now: "2022-12-16T10:15:00Z")
        #expect(result.exitStatus == 2, "\(result.standardOutput)")
        #expect(result.standardOutput.contains("log_matches=2 "))
    }

    @Test func aRepeatLineCountsAsMoreOccurrences() async throws {
        let lines = ["Dec 16 10:09:21 fw1 kernel: \(Self.full)", "Dec 16 10:09:52 fw1 last message repeated 7 times"]
        let result = try await check(lines, now: "2022-12-16T10:15:00Z")
        #expect(result.exitStatus == 2, "\(result.standardOutput)")
        #expect(result.standardOutput.contains("log_matches=8 "))
    }
}
