import CtfixCore
import Foundation
import Testing

/// Every file ctfix writes during a real `run --yes`, attacked with a symlink planted at its
/// name (or at a directory above it) that leads out of the root to a sentinel directory:
/// dangling, live, absolute and climbing with `../`. The real binary runs on a copy of an
/// example host, once with the kernel's `openat2` resolution and once with the forced walk;
/// the sentinel's names, sizes and contents must be the same afterwards.
///
/// Adding a written path to `SymlinkAttackCase.all` adds its cases.
@Suite("Symlink attacks on every write", .serialized)
struct SymlinkAttackTests {
    @Test(arguments: SymlinkAttackCase.all, [false, true])
    func aPlantedSymlinkNeverLeadsAWriteOutOfTheRoot(_ attack: SymlinkAttackCase, forceWalk: Bool) async throws {
        let scene = try AttackScene(host: attack.host)
        let planted = scene.plant(attack)
        try planted.map { try FileManager.default.createSymbolicLink(atPath: $0.at, withDestinationPath: $0.target) }
        let before = try scene.sentinelState()
        var arguments = ["run", ExampleHostsPaths.playbook("table-full"), "--root", scene.root, "--yes", "--no-verify-delay"]
        if attack.dryRun { arguments.append("--dry-run") }
        if case .auditLog = attack.place { arguments += ["--audit-log", scene.auditLog] }
        let result = try await scene.run(arguments, forceWalk: forceWalk)
        let output = result.standardOutput + result.standardError
        #expect(try scene.sentinelState() == before, "\(attack): \(output)")
        if let planted {
            // The link is still the operator's, untouched; nothing was created through it.
            #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: planted.at)) == planted.target, "\(attack)")
        }
        if attack.lastComponent {
            // A write of this very name was refused, saying why and where.
            #expect(output.contains("symbolic link"), "\(attack): \(output)")
            if !attack.mayStillRemediate {
                #expect(result.exitStatus != 0 && result.exitStatus != ExitStatus.changed.rawValue, "\(attack)")
            }
        }
    }

    /// The readers of `--audit-log` refuse a link there too: records read from another file
    /// must not steer `rollback`, and `verify` must not vouch for it.
    @Test(arguments: [["audit", "verify"], ["audit", "show"], ["rollback", "20240314T000000Z-00000000", "--yes"]])
    func auditReadersRefuseALinkedLog(_ command: [String]) async throws {
        let scene = try AttackScene(host: "ubuntu-table-full")
        let real = scene.sentinel + "/audit.jsonl"
        let made = try await scene.run(["run", ExampleHostsPaths.playbook("table-full"), "--root", scene.root, "--dry-run", "--audit-log", real], forceWalk: false)
        #expect(made.exitStatus == 0, "\(made.standardError)")
        try FileManager.default.createSymbolicLink(atPath: scene.auditLog, withDestinationPath: real)
        let before = try scene.sentinelState()
        let result = try await scene.run(command + ["--audit-log", scene.auditLog], forceWalk: false)
        #expect(result.exitStatus != 0)
        #expect((result.standardOutput + result.standardError).contains("\(scene.auditLog): is a symbolic link"), "\(result.standardError)")
        #expect(try scene.sentinelState() == before)
    }

    /// watch reads its log through the root: a log swapped for a symlink to a file outside
    /// the root (full of matching lines) is resolved inside the root, where there is none.
    @Test(arguments: [false, true])
    func watchDoesNotReadALogSwappedForALinkOutOfTheRoot(forceWalk: Bool) async throws {
        let scene = try AttackScene(host: "centos5-ip-conntrack")
        let playbook = try TrustedScratch.directory("log-only") + "/log-only.yaml" // not in /tmp: refused as root
        let shipped = try String(contentsOfFile: ExampleHostsPaths.playbook("table-full"), encoding: .utf8)
        let detect = try #require(shipped.range(of: "\ndetect:\n"))
        let actions = try #require(shipped.range(of: "\nactions:\n"))
        try (shipped[..<detect.lowerBound] + "\ndetect:\n  log:\n    pattern: 'ip_conntrack: table full'\n    within: 15m\n    sources: [/var/log/messages]\n"
             + shipped[actions.lowerBound...]).write(toFile: playbook, atomically: true, encoding: .utf8)
        let watch = ["watch", playbook, "--root", scene.root, "--log", "/var/log/messages", "--once"]
        let first = try await scene.run(watch, forceWalk: forceWalk)
        #expect(first.exitStatus == 0, "\(first.standardError)")
        let line = "\(ISO8601DateFormatter().string(from: Date())) server kernel: ip_conntrack: table full, dropping packet.\n"
        try String(repeating: line, count: 50).write(toFile: scene.sentinel + "/messages", atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(atPath: scene.root + "/var/log/messages")
        try FileManager.default.createSymbolicLink(atPath: scene.root + "/var/log/messages", withDestinationPath: scene.sentinel + "/messages")
        let before = try scene.sentinelState()
        _ = try await scene.run(watch, forceWalk: forceWalk)
        let audit = (try? String(contentsOfFile: scene.root + "/var/log/ctfix/audit.jsonl", encoding: .utf8)) ?? ""
        #expect(!audit.contains("\"event\":\"run_start\""), "\(audit)")
        #expect(try String(contentsOfFile: scene.root + "/proc/sys/net/ipv4/netfilter/ip_conntrack_max", encoding: .utf8) == "16640\n")
        #expect(try scene.sentinelState() == before)
    }
}

/// One write of a run and one way to plant a link at it.
struct SymlinkAttackCase: CustomStringConvertible, Sendable {
    enum Place: Sendable {
        /// A host path under the root.
        case host(String)
        /// `--audit-log` outside the root; the suffix picks the log, `.head` or `.lock`.
        case auditLog(suffix: String)
    }
    enum Style: String, Sendable, CaseIterable {
        /// To a name that does not exist in the sentinel directory: a write would create it.
        case dangling
        /// To the sentinel directory (for a directory) or a file in it.
        case live
        /// Like live, but relative with enough `../` to climb out of any root.
        case climbing
    }

    var place: Place
    var style: Style
    /// The example host (centos5 persists in /etc/sysctl.conf, ubuntu in /etc/sysctl.d).
    var host = "ubuntu-table-full"
    /// The link replaces a directory above the written file rather than the file itself.
    var isDirectory = false
    var dryRun = false

    /// The link is the written file itself: the write must be refused by name.
    var lastComponent: Bool { !isDirectory && !dryRun }

    /// The cooldown record is written after the changes (a warning when it cannot be).
    var mayStillRemediate: Bool {
        if case .host(let path) = place { return path == "/var/lib/ctfix/state.json" }
        return false
    }

    var description: String {
        let name = switch place {
        case .host(let path): path
        case .auditLog(let suffix): "--audit-log" + suffix
        }
        return "\(name) (\(style.rawValue)\(dryRun ? ", dry-run" : ""), \(host))"
    }

    /// Every write a `run --yes` of table-full makes, and the directories above them.
    static let places: [(place: Place, host: String, isDirectory: Bool, dryRun: Bool)] = [
        (.auditLog(suffix: ""), "ubuntu-table-full", false, false),
        (.auditLog(suffix: ".head"), "ubuntu-table-full", false, false),
        (.auditLog(suffix: ".lock"), "ubuntu-table-full", false, false),
        (.auditLog(suffix: ".lock"), "ubuntu-table-full", false, true),
        (.auditLog(suffix: ""), "ubuntu-table-full", false, true),
        (.host("/var/log/ctfix/audit.jsonl"), "ubuntu-table-full", false, false),
        (.host("/var/log/ctfix/audit.jsonl.head"), "ubuntu-table-full", false, false),
        (.host("/var/log/ctfix/audit.jsonl.lock"), "ubuntu-table-full", false, false),
        (.host("/var/log/ctfix"), "ubuntu-table-full", true, false),
        (.host("/run/ctfix.lock"), "ubuntu-table-full", false, false),
        (.host("/run/ctfix.lock.holder"), "ubuntu-table-full", false, false),
        (.host("/run"), "ubuntu-table-full", true, false),
        (.host("/var/lib/ctfix/state.json"), "ubuntu-table-full", false, false),
        (.host("/var/lib/ctfix/backups"), "ubuntu-table-full", true, false),
        (.host("/var/lib/ctfix"), "ubuntu-table-full", true, false),
        (.host("/var/lib"), "ubuntu-table-full", true, false),
        (.host("/etc/sysctl.d/90-ctfix-conntrack.conf"), "ubuntu-table-full", false, false),
        (.host("/etc/modules-load.d/90-ctfix-conntrack.conf"), "ubuntu-table-full", false, false),
        (.host("/etc/modules-load.d"), "ubuntu-table-full", true, false),
        (.host("/etc/sysctl.conf"), "centos5-ip-conntrack", false, false),
        (.host("/etc/modprobe.d/90-ctfix-conntrack.conf"), "centos5-ip-conntrack", false, false),
    ]

    static let all: [SymlinkAttackCase] = places.flatMap { entry in
        Style.allCases.map { SymlinkAttackCase(place: entry.place, style: $0, host: entry.host, isDirectory: entry.isDirectory, dryRun: entry.dryRun) }
    }
}

/// A copy of an example host, a sentinel directory outside it, and an audit log path beside.
struct AttackScene {
    let base: String
    let root: String
    let sentinel: String
    var auditLog: String { base + "/audit/audit.jsonl" }

    init(host: String) throws {
        base = FileManager.default.temporaryDirectory.appendingPathComponent("ctfix-attack-\(UUID().uuidString)").path
        root = base + "/host"
        sentinel = base + "/sentinel"
        try FileManager.default.createDirectory(atPath: base + "/audit", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: ExampleHostsPaths.host(host), toPath: root)
        try FileManager.default.createDirectory(atPath: sentinel + "/dir", withIntermediateDirectories: true)
        try "sentinel\n".write(toFile: sentinel + "/file", atomically: true, encoding: .utf8)
        try "nested\n".write(toFile: sentinel + "/dir/file", atomically: true, encoding: .utf8)
    }

    /// Where the link goes and what it points to; nil when nothing is to be planted.
    func plant(_ attack: SymlinkAttackCase) -> (at: String, target: String)? {
        let at: String
        switch attack.place {
        case .host(let path):
            at = root + path
            // The file or directory may exist in the example: the link takes its place.
            try? FileManager.default.removeItem(atPath: at)
            try? FileManager.default.createDirectory(atPath: (at as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        case .auditLog(let suffix):
            at = auditLog + suffix
        }
        let live = attack.isDirectory ? sentinel + "/dir" : sentinel + "/file"
        let target = switch attack.style {
        case .dangling: sentinel + "/created-through-a-link"
        case .live: live
        case .climbing: String(repeating: "../", count: 40) + live.dropFirst()
        }
        return (at, target)
    }

    /// Every name under the sentinel with its type, size and contents.
    func sentinelState() throws -> [String] {
        let enumerator = try #require(FileManager.default.enumerator(atPath: sentinel))
        return enumerator.compactMap { $0 as? String }.sorted().map { name in
            let path = sentinel + "/" + name
            let attributes = (try? FileManager.default.attributesOfItem(atPath: path)) ?? [:]
            let contents = FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) } ?? ""
            return "\(name) \(attributes[.type] as? String ?? "?") \(attributes[.size] as? Int ?? -1) \(contents)"
        }
    }

    /// Runs the real binary, with `CTFIX_FORCE_WALK=1` for the walk.
    func run(_ arguments: [String], forceWalk: Bool) async throws -> CommandResult {
        let environment = forceWalk ? ["env", "CTFIX_FORCE_WALK=1"] : ["env", "-u", "CTFIX_FORCE_WALK"]
        return try await RealKernel.runner.run(environment + [try CtfixBinary.path()] + arguments, timeout: .seconds(60))
    }
}
