import Foundation
import Testing
@testable import CtfixCore

/// `snapshot DIR` writes only through DIR's descriptor. The race the issue reports (a link
/// planted in DIR after its "is it empty" check) is made deterministic here: DIR is opened
/// and checked, then a symlink (dangling or live, out to a sentinel) or a file is planted at
/// *every* name a capture writes, then the capture runs. Nothing outside changes, and the
/// planted entry is left as it was.
@Suite("Snapshot: DIR cannot be redirected")
struct SnapshotWriterTests {
    static let host = "ubuntu-table-full"

    static func scratch(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("ctfix-\(name)-\(UUID().uuidString)").path
    }

    static func context() throws -> CtfixContext {
        var ctx = try CtfixContext.live(root: ExampleHosts.hostPath(host))
        ctx.output = CapturedOutput()
        return ctx
    }

    /// Every name (file or directory) a clean capture of the example host writes, relative.
    static func writtenNames() async throws -> [String] {
        let directory = scratch("snap-names")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(await SnapshotCommand(directory: directory).run(try context()) == .ok)
        let names = FileManager.default.enumerator(atPath: directory)?.compactMap { $0 as? String } ?? []
        return names.sorted()
    }

    struct Sentinel {
        let path = SnapshotWriterTests.scratch("sentinel")
        init() throws {
            try FileManager.default.createDirectory(atPath: path + "/dir", withIntermediateDirectories: true)
            try "sentinel\n".write(toFile: path + "/file", atomically: true, encoding: .utf8)
        }
        func state() -> [String] {
            (FileManager.default.enumerator(atPath: path)?.compactMap { $0 as? String } ?? []).sorted().map { name in
                let data = FileManager.default.contents(atPath: path + "/" + name)
                return "\(name) \(data?.count ?? -1) \(data.map { String(decoding: $0, as: UTF8.self) } ?? "")"
            }
        }
    }

    enum Planted: String, CaseIterable { case danglingLink, liveLink, file }

    /// The cases come from a clean capture: a name the capture starts writing is attacked too.
    @Test func anEntryPlantedAfterTheCheckRedirectsNothing() async throws {
        let names = try await Self.writtenNames()
        #expect(names.contains(SnapshotManifest.fileName))
        #expect(names.contains("proc/sys/net/netfilter/nf_conntrack_max"))
        for name in names {
            for planted in Planted.allCases {
                try await attack(name, planted)
            }
        }
    }

    func attack(_ name: String, _ planted: Planted) async throws {
        let sentinel = try Sentinel()
        let directory = Self.scratch("snap-race")
        defer {
            try? FileManager.default.removeItem(atPath: directory)
            try? FileManager.default.removeItem(atPath: sentinel.path)
        }
        let writer = try SnapshotWriter.prepare(directory, environment: [:])
        // The race, won by the attacker: after the check, before the writes.
        let at = directory + "/" + name
        try FileManager.default.createDirectory(atPath: (at as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        switch planted {
        case .danglingLink: try FileManager.default.createSymbolicLink(atPath: at, withDestinationPath: sentinel.path + "/new")
        case .liveLink: try FileManager.default.createSymbolicLink(atPath: at, withDestinationPath: sentinel.path + "/dir")
        case .file: try "planted\n".write(toFile: at, atomically: true, encoding: .utf8)
        }
        let before = sentinel.state()
        let output = CapturedOutput()
        var ctx = try Self.context()
        ctx.output = output
        let status = await SnapshotCommand(directory: directory).capture(ctx, into: writer)
        #expect(sentinel.state() == before, "\(name) \(planted)")
        switch planted {
        case .danglingLink: #expect(try FileManager.default.destinationOfSymbolicLink(atPath: at) == sentinel.path + "/new")
        case .liveLink: #expect(try FileManager.default.destinationOfSymbolicLink(atPath: at) == sentinel.path + "/dir")
        case .file: #expect(try String(contentsOfFile: at, encoding: .utf8) == "planted\n", "\(name)")
        }
        // The planted name is reported: the manifest lists it as skipped, or the capture failed.
        let manifest = (try? String(contentsOfFile: directory + "/" + SnapshotManifest.fileName, encoding: .utf8)) ?? ""
        if name == SnapshotManifest.fileName {
            #expect(status == .failed)
            #expect(output.standardError.contains(SnapshotManifest.fileName))
        } else {
            let refused = manifest.contains("is in the way") || manifest.contains("already exists in the snapshot directory")
            #expect(refused || status != .ok, "\(name) \(planted): \(manifest)")
        }
    }

    @Test func aNonEmptyDirectoryIsRefused() async throws {
        let directory = Self.scratch("snap-full")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try "keep".write(toFile: directory + "/mine", atomically: true, encoding: .utf8)
        #expect(throws: SnapshotError.self) { try SnapshotWriter.prepare(directory, environment: [:]) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["mine"])
    }

    @Test(.enabled(if: geteuid() == 0, "chown needs root"))
    func aDirectoryOwnedByAnotherUserIsRefused() async throws {
        let directory = Self.scratch("snap-nobody")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        #expect(chown(directory, 65534, 65534) == 0)
        let error = try #require(throws: SnapshotError.self) { try SnapshotWriter.prepare(directory, environment: [:]) }
        #expect(error.message.contains("owned by uid 65534"))
        // The user sudo ran ctfix for may own it.
        _ = try SnapshotWriter.prepare(directory, environment: ["SUDO_UID": "65534"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)
    }

    @Test func aGroupOrWorldWritableDirectoryIsRefused() async throws {
        for mode: mode_t in [0o775, 0o757, 0o1777] {
            let directory = Self.scratch("snap-open")
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            chmod(directory, mode)
            let error = try #require(throws: SnapshotError.self) { try SnapshotWriter.prepare(directory, environment: [:]) }
            #expect(error.message.contains("writable by group or others"))
        }
    }

    @Test(arguments: [true, false])
    func aSymlinkAsDirIsRefused(dangling: Bool) async throws {
        let sentinel = try Sentinel()
        let empty = sentinel.path + "/empty"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        let directory = Self.scratch("snap-link")
        try FileManager.default.createSymbolicLink(atPath: directory, withDestinationPath: dangling ? sentinel.path + "/missing" : empty)
        let before = sentinel.state()
        let output = CapturedOutput()
        var ctx = try Self.context()
        ctx.output = output
        #expect(await SnapshotCommand(directory: directory).run(ctx) == .usage)
        #expect(output.standardError.contains("\(directory): is a symbolic link"))
        #expect(sentinel.state() == before)
    }
}
