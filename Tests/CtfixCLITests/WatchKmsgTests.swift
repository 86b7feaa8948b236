import CtfixCore
import Foundation
import Testing

/// `ctfix watch` on the real kernel log: a message written to this machine's `/dev/kmsg`
/// (user facility, opted in with `facilities: [kern, user]`) triggers the playbook once,
/// against a copy of the seed host whose `/dev/kmsg` is a device node of the real ring buffer
/// (and whose /proc/stat and /proc/uptime are this machine's, so record times are right); a
/// restart in the same boot continues after the last sequence number and does not replay it.
@Suite("Watch: the real kernel log", .serialized)
struct WatchKmsgTests {
    /// Root, a writable /dev/kmsg, and a file system that allows device nodes.
    static var kmsgUsable: Bool {
        guard geteuid() == 0, access("/dev/kmsg", W_OK) == 0 else { return false }
        let probe = FileManager.default.temporaryDirectory.appendingPathComponent("ctfix-kmsg-probe-\(getpid())").path
        defer { unlink(probe) }
        return mknod(probe, S_IFCHR | 0o600, makedev(1, 11)) == 0
    }

    static func makedev(_ major: UInt32, _ minor: UInt32) -> dev_t {
        dev_t((major << 8) | minor)
    }

    /// A copy of the seed host whose /dev/kmsg is the real ring buffer, and a playbook for a
    /// unique token (user facility opted in).
    final class KmsgHost {
        let root: String
        let playbook: String
        let token = "ctfix-watch-test-\(UUID().uuidString.prefix(8))"
        init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("ctfix-kmsg-\(UUID().uuidString)").path
            try FileManager.default.copyItem(atPath: PackagePaths.root.path + "/examples/hosts/centos5-ip-conntrack", toPath: root)
            playbook = try TrustedScratch.directory("kmsg") + "/test.yaml" // not in /tmp: refused as root
            try FileManager.default.createDirectory(atPath: root + "/dev", withIntermediateDirectories: true)
            guard mknod(root + "/dev/kmsg", S_IFCHR | 0o600, WatchKmsgTests.makedev(1, 11)) == 0 else { throw CocoaError(.fileWriteUnknown) }
            for file in ["/proc/stat", "/proc/uptime", "/proc/sys/kernel/random/boot_id"] {
                try Data(contentsOf: URL(fileURLWithPath: file)).write(to: URL(fileURLWithPath: root + file))
            }
            let shipped = try String(contentsOfFile: PackagePaths.root.path + "/playbooks/table-full.yaml", encoding: .utf8)
            let detect = try #require(shipped.range(of: "\ndetect:\n"))
            let actions = try #require(shipped.range(of: "\nactions:\n"))
            let text = shipped[..<detect.lowerBound]
                + "\ndetect:\n  log:\n    pattern: '\(token): table full'\n    within: 15m\n    sources: [kmsg]\n    facilities: [kern, user]\n"
                + shipped[actions.lowerBound...]
            try text.replacingOccurrences(of: "delay: 10s", with: "delay: 0s").write(toFile: playbook, atomically: true, encoding: .utf8)
        }
        deinit {
            try? FileManager.default.removeItem(atPath: root)
            try? FileManager.default.removeItem(atPath: playbook)
        }
        func log(_ message: String) throws {
            let kmsg = try #require(FileHandle(forWritingAtPath: "/dev/kmsg"))
            defer { try? kmsg.close() }
            try kmsg.write(contentsOf: Data("\(token): \(message)\n".utf8))
        }
        func events(_ name: String) -> Int {
            ((try? String(contentsOfFile: root + "/var/log/ctfix/audit.jsonl", encoding: .utf8)) ?? "").components(separatedBy: "\"event\":\"\(name)\"").count - 1
        }
    }

    @Test("first start: a record already in the ring buffer is history; --lookback acts on it once",
          .enabled(if: kmsgUsable, "needs root, a writable /dev/kmsg and mknod"))
    func kmsgFirstStart() async throws {
        let plain = try KmsgHost()
        try plain.log("table full, before the start")
        let first = try await CtfixBinary.run(["watch", plain.playbook, "--root", plain.root, "--once"], timeout: .seconds(60))
        #expect(first.exitStatus == 0, "\(first.standardError)")
        #expect(plain.events("watch_trigger") == 0)
        #expect(plain.events("run_start") == 0)
        #expect(try WatchState.load(RootedFileSystem(root: plain.root)).kmsgSequence != nil, "the first start saves the last sequence number")
        // Logged while no watcher runs, after the saved position: handled at the next start.
        try plain.log("table full, while down")
        let second = try await CtfixBinary.run(["watch", plain.playbook, "--root", plain.root, "--once"], timeout: .seconds(60))
        #expect(second.exitStatus == 0, "\(second.standardError)")
        #expect(plain.events("watch_trigger") == 1)
        #expect(plain.events("run_start") == 1)

        let opted = try KmsgHost()
        try opted.log("table full, before the start")
        let lookback = try await CtfixBinary.run(["watch", opted.playbook, "--root", opted.root, "--once", "--lookback", "10m"], timeout: .seconds(60))
        #expect(lookback.exitStatus == 0, "\(lookback.standardError)")
        #expect(opted.events("watch_trigger") == 1)
        #expect(opted.events("run_start") == 1)
        let again = try await CtfixBinary.run(["watch", opted.playbook, "--root", opted.root, "--once", "--lookback", "10m"], timeout: .seconds(60))
        #expect(again.exitStatus == 0, "\(again.standardError)")
        #expect(opted.events("run_start") == 1)
    }

    @Test("a /dev/kmsg message triggers one run; SIGTERM stops; a restart does not replay",
          .enabled(if: kmsgUsable, "needs root, a writable /dev/kmsg and mknod"))
    func kmsgTriggersOnce() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ctfix-kmsg-\(UUID().uuidString)").path
        try FileManager.default.copyItem(atPath: PackagePaths.root.path + "/examples/hosts/centos5-ip-conntrack", toPath: root)
        let playbook = try TrustedScratch.directory("kmsg") + "/test.yaml" // not in /tmp: refused as root
        defer {
            try? FileManager.default.removeItem(atPath: root)
            try? FileManager.default.removeItem(atPath: (playbook as NSString).deletingLastPathComponent)
        }
        try FileManager.default.createDirectory(atPath: root + "/dev", withIntermediateDirectories: true)
        #expect(mknod(root + "/dev/kmsg", S_IFCHR | 0o600, Self.makedev(1, 11)) == 0)
        for file in ["/proc/stat", "/proc/uptime", "/proc/sys/kernel/random/boot_id"] {
            try Data(contentsOf: URL(fileURLWithPath: file)).write(to: URL(fileURLWithPath: root + file))
        }
        let token = "ctfix-watch-test-\(UUID().uuidString.prefix(8))"
        let shipped = try String(contentsOfFile: PackagePaths.root.path + "/playbooks/table-full.yaml", encoding: .utf8)
        let detect = try #require(shipped.range(of: "\ndetect:\n"))
        let actions = try #require(shipped.range(of: "\nactions:\n"))
        let text = shipped[..<detect.lowerBound]
            + "\ndetect:\n  log:\n    pattern: '\(token): table full'\n    within: 15m\n    sources: [kmsg]\n    facilities: [kern, user]\n"
            + shipped[actions.lowerBound...]
        try TrustedScratch.write(text.replacingOccurrences(of: "delay: 10s", with: "delay: 0s"), to: playbook)
        let audit = root + "/var/log/ctfix/audit.jsonl"
        func events(_ name: String) -> Int {
            ((try? String(contentsOfFile: audit, encoding: .utf8)) ?? "").components(separatedBy: "\"event\":\"\(name)\"").count - 1
        }

        // A matching record logged before the first start is history: it must not trigger.
        let early = try #require(FileHandle(forWritingAtPath: "/dev/kmsg"))
        try early.write(contentsOf: Data("\(token): table full, logged before watch started\n".utf8))
        try early.close()

        let process = Process()
        process.executableURL = URL(fileURLWithPath: try CtfixBinary.path())
        process.arguments = ["watch", playbook, "--root", root, "--interval", "1h"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        #expect(await WatchCommandLineTests.eventually(within: 60) { FileManager.default.fileExists(atPath: root + WatchState.path) })

        let kmsg = try #require(FileHandle(forWritingAtPath: "/dev/kmsg"))
        try kmsg.write(contentsOf: Data("\(token): table full, dropping packet\n".utf8))
        try kmsg.close()
        #expect(await WatchCommandLineTests.eventually(within: 60) { events("watch_run") == 1 })
        let auditText = (try? String(contentsOfFile: audit, encoding: .utf8)) ?? ""
        #expect(auditText.contains("\"trigger\":\"watch:kmsg\""))
        #expect(auditText.contains("\"outcome\":\"unverified\"")) // a snapshot copy's counters cannot be measured again after the actions
        let triggers = auditText.split(separator: "\n").filter { $0.contains("\"event\":\"watch_trigger\"") }
        #expect(triggers.count == 1)
        #expect(!triggers.contains { $0.contains("logged before watch started") })
        #expect(events("watch_trigger") == 1)

        kill(process.processIdentifier, SIGTERM)
        #expect(await WatchCommandLineTests.eventually(within: 20) { !process.isRunning })
        guard !process.isRunning else { return }
        #expect(process.terminationStatus == 0)
        let state = try WatchState.load(RootedFileSystem(root: root))
        #expect(state.kmsgSequence != nil)

        let again = try await CtfixBinary.run(["watch", playbook, "--root", root, "--once"], timeout: .seconds(60))
        #expect(again.exitStatus == 0, "\(again.standardError)")
        #expect(events("run_start") == 1)
        #expect(events("watch_trigger") == 1)
    }
}
