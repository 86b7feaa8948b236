import Foundation
import Testing
@testable import CtfixCore

/// A line counts for a `log` predicate only when its format says the kernel wrote it. Each
/// test writes, for one format, the line an unprivileged user can produce (`logger`, a
/// journald client, a pasted comment) next to the genuine kernel line, and checks that only
/// the genuine one counts — through the parser and through a whole `log` predicate.
@Suite struct LogSpoofedKernelLineTests {
    static let message = "nf_conntrack: nf_conntrack: table full, dropping packet"

    func parse(_ line: String) -> KernelLogLine {
        var parser = KernelLogLineParser(now: LogTestHost.date("2024-11-08T12:00:00Z"), timeZone: TimeZone(identifier: "UTC")!,
                                         bootTime: LogTestHost.date("2024-11-01T00:00:00Z"))
        return parser.parse(line)
    }

    /// The count a whole-log `log` predicate gives for `lines` read from a file source.
    func count(_ lines: [String], facilities: Set<Int> = LogFacilities.kernelOnly) async -> Int {
        var predicate = LogPredicate.make(sources: [.file("/var/log/test.log")])
        predicate.facilities = facilities
        let result = await predicate.evaluate(in: LogTestHost.context(["/var/log/test.log": lines.joined(separator: "\n") + "\n"],
                                                                      now: "2024-11-08T12:00:00Z"))
        return result.count ?? 0
    }

    func expectOnlyGenuineCounts(spoofed: [String], genuine: String) async {
        for line in spoofed {
            #expect(!parse(line).isKernel, "spoofed line taken for the kernel's: \(line)")
            #expect(await count([line]) == 0, "spoofed line counted: \(line)")
        }
        #expect(parse(genuine).isKernel)
        #expect(await count(spoofed + [genuine]) == 1)
    }

    @Test func classicSyslogWithoutPriorityTrustsOnlyTheHeaderTag() async {
        await expectOnlyGenuineCounts(spoofed: [
            "Nov  8 08:54:58 fw1 logger: \(Self.message)",
            "Nov  8 08:54:58 fw1 alice: kernel: \(Self.message)",
            "Nov  8 08:54:58 fw1 sshd[42]: comment: Nov  8 08:54:58 fw1 kernel: \(Self.message)",
            "Nov  8 08:54:58 fw1 user.notice kernel: \(Self.message)",
            "Nov  8 08:54:58 user.warn kernel: \(Self.message)",
            "2024-11-08T08:54:58+00:00 fw1 logger: kernel: \(Self.message)",
        ], genuine: "Nov  8 08:54:58 fw1 kernel: \(Self.message)")
        #expect(parse("Nov  8 08:54:58 fw1 kern.warn kernel: \(Self.message)").isKernel)
    }

    @Test func syslogPriorityFacilityDecidesNotTheTag() async {
        // `logger -t kernel` (user facility, 13/14) and `logger -p daemon.err -t kernel` (27)
        await expectOnlyGenuineCounts(spoofed: [
            "<14>Nov  8 08:54:58 fw1 kernel: \(Self.message)",
            "<13>2024-11-08T08:54:58+00:00 fw1 kernel: \(Self.message)",
            "<27>Nov  8 08:54:58 fw1 kernel: \(Self.message)",
            "<14>[ 1694413.644132] \(Self.message)",
        ], genuine: "<4>Nov  8 08:54:58 fw1 kernel: \(Self.message)")
        #expect(parse("<4>2024-11-08T08:54:58+00:00 fw1 kernel: \(Self.message)").isKernel)
        #expect(parse("<4>[ 1694413.644132] \(Self.message)").isKernel)
    }

    @Test func rfc5424AppNameKernelWithUserFacilityIsNotKernel() async {
        // `logger --rfc5424 -t kernel`
        await expectOnlyGenuineCounts(spoofed: [
            "<13>1 2024-11-08T08:54:58.123Z fw1 kernel - - - \(Self.message)",
            "<14>1 2024-11-08T08:54:58.123Z fw1 kernel 4242 - [meta x=\"1\"] \(Self.message)",
        ], genuine: "<4>1 2024-11-08T08:54:58.123Z fw1 kernel - - - \(Self.message)")
    }

    @Test func kmsgRecordsWrittenByUserSpaceAreNotKernel() async {
        // `echo '<0>msg' > /dev/kmsg` is stored with LOG_USER (devkmsg_write ignores facility
        // 0 from user space), so the record reads `12,…` or `8,…`, never `0,…`.
        await expectOnlyGenuineCounts(spoofed: [
            "12,2291,38775494392631,-;\(Self.message)",
            "8,2292,38775494392700,-;kernel: \(Self.message)",
            "30,2293,38775494392800,-,caller=T1;\(Self.message)",
        ], genuine: "4,2294,38775494392900,-;\(Self.message)")
        // a playbook that opts the user facility in does count them
        #expect(await count(["12,2291,38775494392631,-;\(Self.message)"], facilities: [0, 1]) == 1)
    }

    @Test func journaldEntriesNeedTheKernelTransportAndFacility() async {
        func entry(_ fields: String) -> String {
            #"{"__REALTIME_TIMESTAMP":"1731056098000000",\#(fields),"MESSAGE":"\#(Self.message)"}"#
        }
        await expectOnlyGenuineCounts(spoofed: [
            // `logger -t kernel` through journald
            entry(#""_TRANSPORT":"syslog","SYSLOG_IDENTIFIER":"kernel","SYSLOG_FACILITY":"1""#),
            // a native client setting SYSLOG_FACILITY=0 itself (journald keeps it)
            entry(#""_TRANSPORT":"journal","SYSLOG_IDENTIFIER":"kernel","SYSLOG_FACILITY":"0""#),
            // user space writing to /dev/kmsg: kernel transport, user facility
            entry(#""_TRANSPORT":"kernel","SYSLOG_FACILITY":"1","SYSLOG_IDENTIFIER":"alice""#),
            // no trusted transport at all
            entry(#""SYSLOG_IDENTIFIER":"kernel","SYSLOG_FACILITY":"0""#),
            entry(#""_TRANSPORT":"kernel""#),
        ], genuine: entry(#""_TRANSPORT":"kernel","SYSLOG_FACILITY":"0","SYSLOG_IDENTIFIER":"kernel""#))
        // opting the user facility in never lets a forged facility 0 through
        #expect(await count([entry(#""_TRANSPORT":"journal","SYSLOG_FACILITY":"0""#)], facilities: [0, 1]) == 0)
    }

    @Test func freeTextQuotingAKernelLineIsNotKernel() async {
        await expectOnlyGenuineCounts(spoofed: [
            "> Nov  8 08:54:58 fw1 kernel: \(Self.message)",
            "Customer wrote: fw1 kernel: \(Self.message)",
            "- kernel: \(Self.message)",
            "see https://example.org/issue/8 (kernel: \(Self.message))",
            "**kernel:** \(Self.message)",
        ], genuine: "fw1 kernel: \(Self.message)")
        #expect(parse("kernel: \(Self.message)").isKernel)
        // OpenWrt logread prints the facility: only `kern.<level>` right before the tag counts
        #expect(parse("Fri Dec 16 10:09:21 2022 kern.warn kernel: \(Self.message)").isKernel)
        #expect(!parse("Fri Dec 16 10:09:21 2022 user.notice kernel: \(Self.message)").isKernel)
        #expect(!parse("Fri Dec 16 10:09:21 2022 kern.warn alice: kernel: \(Self.message)").isKernel)
    }

    @Test func dmesgOutputCountsAndItsPriorityDecidesWhenPrinted() async {
        // plain `dmesg` prints only the ring buffer: the format carries no facility
        #expect(parse("[ 1694413.644132] \(Self.message)").isKernel)
        #expect(parse("[Thu May 11 12:38:28 2023] \(Self.message)").isKernel)
        #expect(parse(Self.message).isKernel)
        // `dmesg -r` prints the priority: a record user space wrote is user facility
        await expectOnlyGenuineCounts(spoofed: ["<12>[ 1694413.644132] \(Self.message)"],
                                      genuine: "<4>[ 1694413.644132] \(Self.message)")
    }
}
