import Foundation
import Testing
@testable import CtfixCore

@Suite struct LogLineParserTests {
    static let utc = TimeZone(identifier: "UTC")!

    func parser(now: String = "2024-11-08T09:00:00Z", zone: TimeZone = utc, boot: Date? = nil) -> KernelLogLineParser {
        KernelLogLineParser(now: LogTestHost.date(now), timeZone: zone, bootTime: boot)
    }

    @Test(arguments: [
        "Nov  8 08:54:58 server kernel: ip_conntrack: table full, dropping packet.",
        "Nov 8 08:54:58 server kernel: ip_conntrack: table full, dropping packet.",
        "Nov 08 08:54:58 server kernel: ip_conntrack: table full, dropping packet.",
    ])
    func classicSyslogWithSingleOrDoubleSpaceDay(_ line: String) {
        var parser = parser()
        let parsed = parser.parse(line)
        #expect(parsed.format == .rfc3164)
        #expect(parsed.time == LogTestHost.date("2024-11-08T08:54:58Z"))
        #expect(parsed.host == "server")
        #expect(parsed.isKernel)
        #expect(parsed.message == "ip_conntrack: table full, dropping packet.")
    }

    @Test func classicSyslogIsLocalTimeOfTheHost() {
        var parser = parser(zone: TimeZone(identifier: "Asia/Shanghai")!)
        let parsed = parser.parse("Nov  8 08:54:58 server kernel: ip_conntrack: table full, dropping packet.")
        #expect(parsed.time == LogTestHost.date("2024-11-08T00:54:58Z"))
    }

    @Test func yearIsInferredAcrossNewYear() {
        var parser = parser(now: "2025-01-01T00:00:05Z")
        #expect(parser.parse("Dec 31 23:59:58 fw1 kernel: nf_conntrack: table full, dropping packet").time
                == LogTestHost.date("2024-12-31T23:59:58Z"))
        #expect(parser.parse("Jan  1 00:00:01 fw1 kernel: nf_conntrack: table full, dropping packet").time
                == LogTestHost.date("2025-01-01T00:00:01Z"))
        // A line from "later this year" can only be from last year.
        #expect(parser.parse("Mar 14 10:00:00 fw1 kernel: x").time == LogTestHost.date("2024-03-14T10:00:00Z"))
    }

    @Test func leapDayGoesBackToALeapYear() {
        var parser = parser(now: "2025-03-01T12:00:00Z")
        #expect(parser.parse("Feb 29 23:00:00 fw1 kernel: x").time == LogTestHost.date("2024-02-29T23:00:00Z"))
    }

    @Test func journalctlShortPrecise() throws {
        var parser = parser()
        let parsed = parser.parse("Nov 08 08:54:58.123456 node-7 kernel: nf_conntrack: nf_conntrack: table full, dropping packet")
        #expect(parsed.format == .rfc3164)
        let time = try #require(parsed.time)
        #expect(abs(time.timeIntervalSince1970 - LogTestHost.date("2024-11-08T08:54:58Z").timeIntervalSince1970 - 0.123456) < 1e-5)
        #expect(parsed.message == "nf_conntrack: nf_conntrack: table full, dropping packet")
    }

    @Test(arguments: [
        ("2024-11-08T08:54:58.123456+08:00 node-7 kernel: nf_conntrack: table full, dropping packet", 0.123456),
        ("2024-11-08T08:54:58+0800 node-7 kernel: nf_conntrack: table full, dropping packet", 0.0),
        ("2024-11-08T00:54:58Z node-7 kernel: nf_conntrack: table full, dropping packet", 0.0),
    ])
    func rfc3339AndShortISO(_ line: String, _ fraction: Double) throws {
        var parser = parser()
        let parsed = parser.parse(line)
        #expect(parsed.format == .rfc3339)
        let time = try #require(parsed.time)
        #expect(abs(time.timeIntervalSince1970 - LogTestHost.date("2024-11-08T00:54:58Z").timeIntervalSince1970 - fraction) < 1e-5)
        #expect(parsed.host == "node-7")
        #expect(parsed.message == "nf_conntrack: table full, dropping packet")
    }

    @Test(arguments: [
        "<4>1 2024-11-08T08:54:58.123Z node-7 kernel - - - nf_conntrack: table full, dropping packet",
        "<4>1 2024-11-08T08:54:58.123Z node-7 kernel - - [timeQuality tzKnown=\"1\" note=\"a \\] b\"] nf_conntrack: table full, dropping packet",
        "<4>1 2024-11-08T08:54:58.123Z node-7 kernel - - - \u{FEFF}nf_conntrack: table full, dropping packet",
    ])
    func rfc5424(_ line: String) throws {
        var parser = parser()
        let parsed = parser.parse(line)
        #expect(parsed.format == .rfc5424)
        #expect(parsed.isKernel)
        #expect(parsed.host == "node-7")
        let time = try #require(parsed.time)
        #expect(abs(time.timeIntervalSince1970 - LogTestHost.date("2024-11-08T08:54:58Z").timeIntervalSince1970 - 0.123) < 1e-5)
        #expect(parsed.message == "nf_conntrack: table full, dropping packet")
    }

    @Test func rfc5424FromAnotherProgramIsNotKernel() {
        var parser = parser()
        let parsed = parser.parse("<30>1 2024-11-08T08:54:58Z node-7 ctfix 4242 - - detected nf_conntrack: table full")
        #expect(parsed.format == .rfc5424)
        #expect(!parsed.isKernel)
    }

    @Test func journaldJSONWithStringAndByteArrayMessages() throws {
        var parser = parser()
        let text = #"{"__REALTIME_TIMESTAMP":"1731056098123456","_TRANSPORT":"kernel","SYSLOG_FACILITY":"0","PRIORITY":"4","MESSAGE":"nf_conntrack: table full, dropping packet"}"#
        let parsed = parser.parse(text)
        #expect(parsed.format == .journalJSON)
        #expect(parsed.message == "nf_conntrack: table full, dropping packet")
        let time = try #require(parsed.time)
        #expect(abs(time.timeIntervalSince1970 - 1_731_056_098.123456) < 1e-5)
        let bytes = Array("nf_conntrack: table full\u{7}".utf8).map(String.init).joined(separator: ",")
        let binary = parser.parse(#"{"__REALTIME_TIMESTAMP":"1731056098000000","_TRANSPORT":"kernel","SYSLOG_FACILITY":"0","MESSAGE":["# + bytes + "]}")
        #expect(binary.message == "nf_conntrack: table full\u{7}")
        let userspace = parser.parse(#"{"__REALTIME_TIMESTAMP":"1731056098000000","_TRANSPORT":"syslog","MESSAGE":"table full"}"#)
        #expect(!userspace.isKernel)
    }

    @Test func kmsgRecordsUseTheBootTime() throws {
        let boot = LogTestHost.date("2024-11-08T00:00:00Z")
        var parser = parser(boot: boot)
        let parsed = parser.parse("4,2291,38775494392631,-;nf_conntrack: table full, dropping packet")
        #expect(parsed.format == .kmsg)
        #expect(parsed.isKernel)
        #expect(parsed.message == "nf_conntrack: table full, dropping packet")
        let time = try #require(parsed.time)
        #expect(abs(time.timeIntervalSince(boot) - 38_775_494.392631) < 1e-5)
        #expect(parser.parse("6,1,0,-,caller=T1;Linux version 6.1.0").message == "Linux version 6.1.0")
        #expect(parser.parse(" SUBSYSTEM=net").format == .kmsgContinuation)
        #expect(!parser.parse("30,1234,5678,-;systemd[1]: Started ctfix.service.").isKernel)
    }

    @Test func kmsgWithoutBootTimeHasNoWallTime() {
        var parser = parser()
        #expect(parser.parse("4,2291,38775494392631,-;nf_conntrack: table full").time == nil)
    }

    @Test func rawDmesgConvertsWithBootTime() throws {
        let boot = LogTestHost.date("2024-11-01T00:00:00Z")
        var parser = parser(boot: boot)
        let parsed = parser.parse("[ 1694413.644132] nf_conntrack: nf_conntrack: table full, dropping packet")
        #expect(parsed.format == .dmesg)
        #expect(parsed.message == "nf_conntrack: nf_conntrack: table full, dropping packet")
        #expect(abs(try #require(parsed.time).timeIntervalSince(boot) - 1_694_413.644132) < 1e-5)
        #expect(parser.parse("[    0.000000] Linux version 6.1.0").secondsSinceBoot == 0)
        #expect(parser.parse("<4>[  100.5] nf_conntrack: table full").message == "nf_conntrack: table full")
    }

    @Test func dmesgHumanTime() {
        var parser = parser()
        let parsed = parser.parse("[Thu May 11 12:38:28 2023] nf_conntrack: table full, dropping packet")
        #expect(parsed.format == .dmesgHumanTime)
        #expect(parsed.time == LogTestHost.date("2023-05-11T12:38:28Z"))
        #expect(parsed.message == "nf_conntrack: table full, dropping packet")
        #expect(parser.parse("[Mon May  1 02:03:04 2023] x").time == LogTestHost.date("2023-05-01T02:03:04Z"))
    }

    @Test func kernLogUptimePrefixIsStripped() throws {
        var parser = parser(now: "2018-02-23T17:00:00Z")
        let lines = try LogFixture.text("10_ubuntu_kernlog_starphleet_2018.log").split(separator: "\n").map(String.init)
        let parsed = parser.parse(lines[1])
        #expect(parsed.format == .rfc3164)
        #expect(parsed.host == "jobs")
        #expect(parsed.time == LogTestHost.date("2018-02-23T16:44:36Z"))
        #expect(parsed.secondsSinceBoot == 38_775_494.393661)
        #expect(parsed.message == "nf_conntrack: table full,")
    }

    @Test func truncatedAndWrappedPasteDoesNotCrash() throws {
        var parser = parser(now: "2018-02-23T17:00:00Z")
        let lines = try LogFixture.text("10_ubuntu_kernlog_starphleet_2018.log").split(separator: "\n").map(String.init)
        let first = parser.parse(lines[0])
        #expect(first.format == .messageOnly)
        #expect(first.time == nil)
        #expect(first.message == "nf_conntrack: table full, dropping packet")
        let wrapped = parser.parse(lines[2])
        #expect(wrapped.format == .messageOnly)
        #expect(wrapped.message == "dropping packet")
    }

    @Test func messageOnlyLines() throws {
        var parser = parser()
        let dmesg = try LogFixture.text("07_centos6_2.6.32_dmesg_trailing_period.log").split(separator: "\n").map(String.init)
        #expect(parser.parse(dmesg[0]) == KernelLogLine(format: .messageOnly, time: nil, message: "nf_conntrack: table full, dropping packet."))
        let centos5 = try LogFixture.text("04_ip_conntrack_centos5_dmesg_printk_suppressed.log").split(separator: "\n").map(String.init)
        #expect(parser.parse(centos5[1]).message == "printk: 1 messages suppressed.")
        let hotsos = try LogFixture.text("11_hotsos_kernlog_double_prefix.log").split(separator: "\n").map(String.init)
        let parsed = parser.parse(hotsos[0])
        #expect(parsed.message == "nf_conntrack: nf_conntrack: table full, dropping packet")
        #expect(parsed.secondsSinceBoot == 1_694_413.644132)
    }

    @Test func otherProgramsAreNotKernelLines() {
        var parser = parser()
        #expect(!parser.parse("Nov  8 08:54:58 server ctfix[4242]: detected nf_conntrack: table full").isKernel)
        #expect(!parser.parse("Nov  8 08:54:58 server logger: nf_conntrack: table full").isKernel)
        #expect(parser.parse("Nov  8 08:54:58 server kern.warn kernel: nf_conntrack: table full").isKernel)
        #expect(parser.parse("Nov  8 08:54:58 kernel: nf_conntrack: table full").isKernel)
        #expect(parser.parse("<4>Nov  8 08:54:58 server kernel: nf_conntrack: table full").isKernel)
    }

    @Test func carriageReturnsAreIgnored() {
        var parser = parser()
        #expect(parser.parse("Nov  8 08:54:58 server kernel: table full\r").message == "table full")
    }

    @Test func everyPrefixOfEveryFormatParsesWithoutTrapping() {
        var parser = parser(boot: LogTestHost.date("2024-11-01T00:00:00Z"))
        let samples = [
            "Nov  8 08:54:58 server kernel: [ 12.5] ip_conntrack: table full, dropping packet.",
            "2024-11-08T08:54:58.123456+08:00 node-7 kernel: nf_conntrack: table full",
            "<4>1 2024-11-08T08:54:58.123Z node-7 kernel - - [a b=\"c\\\"]\"] msg",
            "4,2291,38775494392631,-;nf_conntrack: table full",
            "[Thu May 11 12:38:28 2023] nf_conntrack: table full",
            "[ 1694413.644132] nf_conntrack: table full",
            #"{"__REALTIME_TIMESTAMP":"1731056098123456","MESSAGE":[110,102]}"#,
            "2024-13-45T99:99:99Z x kernel: y", "Nov 99 99:99:99 x kernel: y", "<999999999>1 -", "[", "<", "{", " =",
            "Feb 30 10:00:00 host kernel: impossible date",
        ]
        for sample in samples {
            for end in sample.indices + [sample.endIndex] {
                _ = parser.parse(String(sample[..<end]))
            }
        }
        let invalidUTF8: [UInt8] = [0xFF, 0xFE, 0x4E, 0x6F, 0x76, 0x20, 0xC3]
        let parsed = invalidUTF8.withUnsafeBufferPointer { parser.parse(bytes: $0) }
        #expect(parsed.format == .messageOnly)
        #expect(parser.parse("Feb 30 10:00:00 host kernel: impossible date").time == nil)
    }
}
