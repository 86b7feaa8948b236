import Foundation
import Testing
import CtfixCore

/// Issue 8 item 6 through the real binary: a kernel log line carrying terminal controls (ESC
/// sequences, a carriage return with a forged verdict, C1 CSI, bidi overrides, NUL, bytes that
/// are not UTF-8) is shown escaped by `check`, `run --dry-run` and `audit show`, never raw;
/// `--json` and the audit log keep the exact line.
@Suite struct OutputEscapingCommandLineTests {
    static let message = "nf_conntrack: nf_conntrack: table full, dropping packet"
    static let time = "2024-05-02T14:19:00Z"   // inside the playbook's window at the example host's time

    /// Payloads from a fixed generator: each hostile fragment alone and in pairs.
    static var payloads: [String] {
        let fragments = ["\u{1B}[2K", "\r", "CTFIX OK - forged\r", "\u{1B}]0;owned\u{07}", "\u{9B}31m", "\u{202E}txet",
                         "\u{2066}x\u{2069}", "\u{00}", "\u{7F}", "\u{8}\u{8}\u{8}", "\u{1B}c", "\u{2028}"]
        var result = fragments
        for (index, first) in fragments.enumerated() { result.append(first + fragments[(index * 5 + 3) % fragments.count]) }
        return result
    }

    /// True when `text` holds a character that must never reach a terminal raw.
    static func hasRawControl(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0 != "\n" && $0 != "\t" && TerminalText.needsEscape($0, keepingTabs: true, doublingBackslash: false) }
    }

    static func strings(in json: Any) -> [String] {
        switch json {
        case let s as String: [s]
        case let a as [Any]: a.flatMap(strings)
        case let d as [String: Any]: d.values.flatMap(strings)
        default: []
        }
    }

    @Test func hostileKernelLinesAreEscapedForReadersAndExactInJSONAndTheAuditLog() async throws {
        let directory = try TrustedScratch.directory("ctfix-escape")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let lines = Self.payloads.map { "<4>\(Self.time) fw1 kernel: \(Self.message) \($0)" }
        // A copy of the example host whose kernel log carries the hostile lines (run reads the
        // root's log), with one line of bytes that are not UTF-8 too (shown as U+FFFD, never raw).
        let root = "\(directory)/host"
        try FileManager.default.copyItem(atPath: ExampleHostsPaths.host("debian-healthy"), toPath: root)
        let log = "\(root)/var/log/kern.log"
        var data = try Data(contentsOf: URL(fileURLWithPath: log))
        data.append(Data((lines.joined(separator: "\n") + "\n<4>\(Self.time) fw1 kernel: \(Self.message) ").utf8))
        data.append(Data([0xFF, 0xFE, 0x1B, 0x5B, 0x32, 0x4A, 0x0A]))
        try data.write(to: URL(fileURLWithPath: log))
        let playbook = ExampleHostsPaths.playbook("table-full")

        let check = try await CtfixBinary.run(["check", playbook, "--root", root])
        #expect(check.exitStatus == 2, "\(check.standardOutput)\(check.standardError)")
        #expect(!Self.hasRawControl(check.standardOutput + check.standardError), "\(check.standardOutput.debugDescription)")
        #expect(check.standardOutput.contains("\\x1B[2K"), "the escape is visible")
        #expect(!check.standardOutput.split(separator: "\n").contains { $0.hasPrefix("CTFIX OK") }, "no forged verdict line")

        let json = try await CtfixBinary.run(["check", playbook, "--root", root, "--json"])
        let decoded = try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8))
        let exact = Set(Self.strings(in: decoded))
        #expect(exact.contains { $0.contains("\u{1B}") || $0.contains("\u{9B}") || $0.contains("\u{202E}") },
                "--json keeps the line exact: \(exact.filter { $0.contains("table full") }.prefix(3))")
        #expect(exact.contains { $0.contains("\u{FFFD}\u{FFFD}\u{1B}[2J") }, "bytes that are not UTF-8 are U+FFFD, the ESC after them exact")

        let audit = "\(directory)/audit.jsonl"
        let run = try await CtfixBinary.run(["run", playbook, "--root", root, "--dry-run", "--audit-log", audit])
        #expect(run.exitStatus == 0, "\(run.standardError)")
        #expect(!Self.hasRawControl(run.standardOutput + run.standardError), "\(run.standardOutput.debugDescription)")
        let records = try String(contentsOfFile: audit, encoding: .utf8).split(separator: "\n")
        let recorded = try records.flatMap { Self.strings(in: try JSONSerialization.jsonObject(with: Data($0.utf8))) }
        #expect(recorded.contains { $0.contains("\u{1B}[2K") }, "the audit log keeps the exact line")

        let show = try await CtfixBinary.run(["audit", "show", "--root", root, "--audit-log", audit])
        #expect(show.exitStatus == 0, "\(show.standardError)")
        #expect(!Self.hasRawControl(show.standardOutput + show.standardError), "\(show.standardOutput.debugDescription)")
    }

    @Test func theGuardEscapesWhatACallSiteForgotButLeavesJSONStandardOutputExact() {
        let captured = CapturedOutput()
        let human = GuardedOutputSink(captured, exactStandardOutput: false)
        for payload in Self.payloads {
            human.line("value: \(payload)")
            human.errorLine("error: \(payload)")
        }
        human.writeTerminalControl("\r\u{1B}[K")
        #expect(!Self.hasRawControl(String(captured.standardOutput.dropLast(4)) + captured.standardError))
        #expect(captured.standardOutput.hasSuffix("\r\u{1B}[K"), "ctfix's own countdown sequence passes")
        #expect(captured.standardOutput.unicodeScalars.filter { $0 == "\n" }.count == Self.payloads.count, "newlines from ctfix kept, nothing else breaks a line")
        let exactCapture = CapturedOutput()
        let json = GuardedOutputSink(exactCapture, exactStandardOutput: true)
        json.write("{\"a\":\"\u{202E}\u{9B}\"}")
        json.writeError("\u{1B}[2K")
        #expect(exactCapture.standardOutput == "{\"a\":\"\u{202E}\u{9B}\"}")
        #expect(exactCapture.standardError == "\\x1B[2K")
    }
}
