import Foundation
@testable import CtfixCore

/// A copy of the seed host (centos5-ip-conntrack) with a test playbook whose detection is
/// the table-full log line alone, for watch tests that run the real executor on real files.
final class WatchTestHost {
    let root: String
    let playbookPath: String
    let output = CapturedOutput()

    /// `withoutCooldown`: the playbook has no cooldown at all, so only exact positions stand
    /// between a line and a second run (what the replay tests attack).
    init(withoutCooldown: Bool = false) throws {
        root = try ExampleHosts.copy("centos5-ip-conntrack")
        let shipped = try String(contentsOfFile: ExampleHosts.playbookPath("table-full"), encoding: .utf8)
        // Not beside the host copy in /tmp: as root, ctfix refuses a playbook in a mode-1777 directory.
        playbookPath = try TrustedScratch.directory("watch-test") + "/watch-test.yaml"
        var text = Self.logOnly(shipped)
        if withoutCooldown { text = text.replacingOccurrences(of: "cooldown: 30m\n", with: "") }
        try TrustedScratch.write(text, to: playbookPath)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: root)
        try? FileManager.default.removeItem(atPath: (playbookPath as NSString).deletingLastPathComponent)
    }

    /// The shipped table-full playbook with detection = the log line in /var/log/messages
    /// within 15 minutes, and no verification delay.
    static func logOnly(_ shipped: String) -> String {
        guard let detect = shipped.range(of: "\ndetect:\n"), let actions = shipped.range(of: "\nactions:\n") else { return shipped }
        let detection = """

        detect:
          log:
            pattern: 'ip_conntrack: table full'
            within: 15m
            sources: [/var/log/messages]

        """
        let text = (shipped[..<detect.lowerBound] + detection + shipped[actions.lowerBound...])
            .replacingOccurrences(of: "delay: 10s", with: "delay: 0s")
        // Verification by the ratio alone: a copy of a snapshot cannot measure its counters
        // again (the shipped counter verification would make every run here unverified).
        guard let verify = text.range(of: "\nverify:\n") else { return text }
        return text[..<verify.lowerBound] + """

        verify:
          delay: 0s
          healthy:
            ratio:
              numerator:
                sysctl: [net.netfilter.nf_conntrack_count, net.ipv4.netfilter.ip_conntrack_count]
              denominator:
                sysctl: [net.netfilter.nf_conntrack_max, net.ipv4.netfilter.ip_conntrack_max]
              below: ${usage_threshold}

        """
    }

    var messages: String { root + "/var/log/messages" }

    func context() throws -> CtfixContext {
        var ctx = try CtfixContext.live(root: root)
        ctx.clock = SystemClock()
        ctx.output = output
        ctx.terminal = NoTerminal()
        ctx.commands = NoCommandRunner()
        return ctx
    }

    /// A kernel line stamped now, as rsyslog writes it.
    static func kernelLine(_ message: String, at time: Date = Date()) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return "\(formatter.string(from: time)) server kernel: \(message)"
    }

    func append(_ line: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: messages))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data((line + "\n").utf8))
    }

    func records() throws -> [AuditRecord] {
        try AuditLog(fileSystem: RootedFileSystem(root: root)).records()
    }

    func watchOnce(dryRun: Bool = false, lookback: Duration? = nil) async throws -> ExitStatus {
        var options = WatchOptions()
        options.logFiles = ["/var/log/messages"]
        options.once = true
        options.dryRun = dryRun
        options.lookback = lookback
        return await WatchCommand(paths: [playbookPath], options: options).run(try context())
    }

    /// Appends raw text (no newline added).
    func appendRaw(_ text: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: messages))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
    }

    func count(_ event: String) throws -> Int { try records().filter { $0.event == event }.count }

    func state() throws -> WatchState { try WatchState.load(RootedFileSystem(root: root)) }

    func sysctl(_ relative: String) throws -> String {
        try String(contentsOfFile: root + "/proc/sys/" + relative, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
