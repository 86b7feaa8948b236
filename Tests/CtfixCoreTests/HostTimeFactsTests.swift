import Foundation
import Testing
@testable import CtfixCore

/// The zone of local log times: the same offsets as before for every host, environment and
/// name (UTC names no longer load ICU's zone data), and this machine's zone looked up only
/// when a line in local time is read.
@Suite struct HostTimeFactsTests {
    /// 1800 to 2200, the hours around DST changes included, plus random instants.
    static let instants: [Date] = {
        var random = LogByteSearchTests.SplitMix(state: 0x747A)
        var dates = stride(from: -5_364_662_400.0, through: 7_258_118_400, by: 86_400 * 7 + 3_599).map { Date(timeIntervalSince1970: $0) }
        dates += (0..<4_000).map { _ in Date(timeIntervalSince1970: Double(Int64(random.next() % 12_000_000_000)) - 4_000_000_000) }
        return dates
    }()

    static func sameOffsets(_ a: TimeZone?, _ b: TimeZone?) -> Bool {
        guard let a, let b else { return a == nil && b == nil }
        return instants.allSatisfy { a.secondsFromGMT(for: $0) == b.secondsFromGMT(for: $0) }
    }

    @Test func everyUTCNameIsAZoneFoundationKnowsAndItIsZeroAtEveryInstant() throws {
        for name in HostTimeFacts.utcNames {
            let foundation = try #require(TimeZone(identifier: name), "Foundation does not know \(name): the old code fell through")
            #expect(Self.sameOffsets(foundation, HostTimeFacts.zone(named: name)), "\(name)")
            #expect(Self.instants.allSatisfy { foundation.secondsFromGMT(for: $0) == 0 })
        }
    }

    @Test(arguments: ["Europe/Paris", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "America/Sao_Paulo", "utc", "Etc/GMT+5",
                      "GMT", "UTC ", "posix/UTC", "Etc/UTC/", "bogus", "", "../UTC"])
    func otherNamesAreFoundationsZones(_ name: String) {
        #expect(Self.sameOffsets(HostTimeFacts.zone(named: name), TimeZone(identifier: name)))
    }

    /// The former `HostTimeFacts.timeZone(of:)`.
    static func oldZone(of host: CtfixContext) -> TimeZone {
        if !host.isLiveHost, let text = try? host.fileSystem.readText("/etc/timezone"),
           let zone = TimeZone(identifier: text.trimmingCharacters(in: .whitespacesAndNewlines)) {
            return zone
        }
        if var name = host.environment["TZ"], !name.isEmpty {
            if name.hasPrefix(":") { name.removeFirst() }
            if let zone = TimeZone(identifier: name) { return zone }
        }
        return .current
    }

    @Test func everyHostAndEnvironmentGetsTheZoneItGotBefore() {
        let files: [String?] = [nil, "Etc/UTC\n", "UTC", "Europe/Paris\n", "  America/New_York  \n", "bogus\n", "", "Zulu"]
        let environments: [String?] = [nil, "", "UTC", ":Etc/UTC", "Asia/Kolkata", ":Europe/Paris", "bogus", "Etc/GMT-0"]
        for file in files {
            for tz in environments {
                for live in [false, true] {
                    let fs = InMemoryFileSystem(file.map { ["/etc/timezone": $0] } ?? [:])
                    let host = CtfixContext(fileSystem: fs, environment: tz.map { ["TZ": $0] } ?? [:], isLiveHost: live)
                    #expect(Self.sameOffsets(HostTimeFacts.timeZone(of: host).resolve(), Self.oldZone(of: host)), "\(String(describing: file)) \(String(describing: tz)) \(live)")
                }
            }
        }
    }

    @Test func thisMachinesZoneIsTimeZoneCurrent() {
        #expect(Self.sameOffsets(MachineZone.current(), .current))
        #expect(Self.sameOffsets(LogZone.machine.resolve(), .current))
    }

    @Test(arguments: [("/usr/share/zoneinfo/Etc/UTC", true), ("../usr/share/zoneinfo/UTC", true), ("/usr/share/zoneinfo/Etc/Zulu", true),
                      ("/usr/share/zoneinfo/Europe/Paris", false), ("/usr/share/zoneinfo/posix/UTC", false), ("/etc/UTC", false),
                      ("/usr/share/zoneinfo/Etc/UTC/", false), ("/usr/share/zoneinfo/", false), ("UTC", false), ("", false)])
    func onlyALinkNamingAUTCZoneTakesTheShortcut(_ link: String, _ shortcut: Bool) {
        let zone = MachineZone.utcZone(linkedBy: link)
        #expect((zone != nil) == shortcut)
        if let zone { #expect(Self.sameOffsets(zone, TimeZone(identifier: "UTC"))) }
    }

    @Test func theMachinesZoneIsLookedUpOnlyForALocalTime() {
        var parser = KernelLogLineParser(now: LogTestHost.date("2024-11-08T12:00:00Z"), zone: .machine)
        for line in ["2024-11-08T11:59:00.123456+01:00 host kernel: nf_conntrack: table full, dropping packet",
                     "[12345.678901] nf_conntrack: table full, dropping packet", "6,1234,567890123,-;nf_conntrack: table full",
                     "{\"MESSAGE\":\"x\",\"__REALTIME_TIMESTAMP\":\"1731067140000000\",\"_TRANSPORT\":\"kernel\"}", "plain text"] {
            _ = parser.parse(line)
            #expect(!parser.zoneLookedUp, "\(line)")
        }
        let local = parser.parse("Nov  8 11:58:00 host kernel: nf_conntrack: table full, dropping packet")
        #expect(parser.zoneLookedUp)
        var eager = KernelLogLineParser(now: LogTestHost.date("2024-11-08T12:00:00Z"), timeZone: .current)
        #expect(local.time == eager.parse("Nov  8 11:58:00 host kernel: nf_conntrack: table full, dropping packet").time)
    }

    /// The example hosts name their zone, so their syslog times mean what their captures meant
    /// on a machine in any zone (before, a dry-run in New York found no table-full line).
    @Test(arguments: ["centos5-ip-conntrack", "centos6-alloc-failure", "ubuntu-table-full"])
    func exampleHostsReadTheirLogsInTheirOwnZone(_ name: String) throws {
        let host = CtfixContext(fileSystem: try RootedFileSystem(root: ExampleHosts.hostPath(name)),
                                environment: ["TZ": "America/New_York"], isLiveHost: false)
        guard case .fixed(let zone) = HostTimeFacts.timeZone(of: host) else {
            Issue.record("\(name) has no /etc/timezone")
            return
        }
        #expect(Self.sameOffsets(zone, TimeZone(identifier: "UTC")))
    }

    /// debian-healthy has no zone of its own: `--log` excerpts checked against it are read in
    /// `TZ`'s (LogFormatCommandLineTests), and nothing in its own log matches either way.
    @Test func theHealthyHostTakesTheZoneOfTZ() throws {
        let host = CtfixContext(fileSystem: try RootedFileSystem(root: ExampleHosts.hostPath("debian-healthy")),
                                environment: ["TZ": "America/New_York"], isLiveHost: false)
        #expect(Self.sameOffsets(HostTimeFacts.timeZone(of: host).resolve(), TimeZone(identifier: "America/New_York")))
    }
}
