import Foundation
import Testing
import CtfixCore

/// Issue 8 items 3 and 4 through the real binary: a line any local user can write (`logger -t
/// kernel`, RFC 5424 with app name `kernel`, a pasted comment) never makes `ctfix check` fire,
/// and a pattern that could run for minutes is refused at `validate` with its place.
@Suite struct HostileLogCommandLineTests {
    static let message = "nf_conntrack: nf_conntrack: table full, dropping packet"

    func check(log lines: [String]) async throws -> CommandResult {
        let directory = try TrustedScratch.directory("ctfix-spoof")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let log = "\(directory)/messages"
        try TrustedScratch.write(lines.joined(separator: "\n") + "\n", to: log)
        return try await CtfixBinary.run(["check", ExampleHostsPaths.playbook("table-full"),
                                          "--root", ExampleHostsPaths.host("debian-healthy"), "--log", log])
    }

    @Test func spoofedKernelLinesDoNotFireCheckAndAGenuineOneDoes() async throws {
        // a minute before the example host's snapshot time (2024-05-02T14:20:00Z), inside the
        // playbook's 15m window
        let now = "2024-05-02T14:19:00Z"
        let micros = 1_714_659_540_000_000
        let spoofed = [
            "<13>\(now) fw1 kernel: \(Self.message)",          // logger -t kernel
            "<13>1 \(now) fw1 kernel - - - \(Self.message)",   // logger --rfc5424 -t kernel
            "\(now) fw1 alice: kernel: \(Self.message)",        // logger, default tag
            "> \(now) fw1 kernel: \(Self.message)",             // a quoted comment
            #"{"__REALTIME_TIMESTAMP":"\#(micros)","_TRANSPORT":"syslog","SYSLOG_IDENTIFIER":"kernel","SYSLOG_FACILITY":"0","MESSAGE":"\#(Self.message)"}"#,
        ]
        let quiet = try await check(log: spoofed)
        #expect(quiet.exitStatus == 0, "spoofed lines fired: \(quiet.standardOutput)")
        #expect(quiet.standardOutput.hasPrefix("CTFIX OK"))
        let firing = try await check(log: spoofed + ["<4>\(now) fw1 kernel: \(Self.message)"])
        #expect(firing.exitStatus == 2)
        #expect(firing.standardOutput.contains("log_matches=1 "))
    }

    @Test func aCatastrophicPatternIsRefusedAtValidateWithItsPlace() async throws {
        let directory = try TrustedScratch.directory("ctfix-redos")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let playbook = "\(directory)/redos.yaml"
        try TrustedScratch.write("""
            version: 1
            name: redos
            summary: x
            detect:
              file_matches:
                path: /etc/hosts
                pattern: '(\\w+\\s?)+$'
            actions:
              - command: [true]
            """, to: playbook)
        let validate = try await CtfixBinary.run(["validate", playbook])
        #expect(validate.exitStatus == 65)
        #expect(validate.standardError.contains("\(playbook):7:14: error: pattern is refused: nested unbounded quantifier `(\\w+\\s?)+`"))
    }

    /// The issue's reproduction: under `ctfix watch`, a `logger -t kernel` line started a real
    /// unattended run. Spoofed lines appended to the followed log now start nothing; the
    /// genuine kernel line after them still does.
    @Test func watchDoesNotRunOnSpoofedLinesButDoesOnAGenuineOne() async throws {
        let host = try WatchCommandLineTests.Host()
        let first = try await CtfixBinary.run(host.arguments(["--once"]), timeout: .seconds(60))
        #expect(first.exitStatus == 0, "\(first.standardError)")
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let now = formatter.string(from: Date())
        let message = "ip_conntrack: table full, dropping packet."
        func append(_ lines: [String]) throws {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: host.root + "/var/log/messages"))
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(lines.map { $0 + "\n" }.joined().utf8))
        }
        try append([
            "<13>\(now) server kernel: \(message)",         // logger -t kernel, priority kept
            "<13>1 \(now) server kernel - - - \(message)",  // logger --rfc5424 -t kernel
            "\(now) server alice: kernel: \(message)",       // logger, default tag
            "> \(now) server kernel: \(message)",            // a pasted quote
        ])
        let spoofed = try await CtfixBinary.run(host.arguments(["--once"]), timeout: .seconds(60))
        #expect(spoofed.exitStatus == 0, "\(spoofed.standardError)")
        #expect(host.events("run_start") == 0, "a spoofed line started a run:\n\(spoofed.standardOutput)")
        try append(["\(now) server kernel: \(message)"])
        let genuine = try await CtfixBinary.run(host.arguments(["--once"]), timeout: .seconds(60))
        #expect(genuine.exitStatus == 0, "\(genuine.standardError)")
        #expect(host.events("run_start") == 1)
    }
}
