import Foundation
import Testing
@testable import CtfixCore

/// What someone who can write inside a root (a user-owned copy of a host, an untrusted
/// snapshot unpacked by root) can plant at a name ctfix writes, other than a symlink: a hard
/// link to a file outside the root, a FIFO, a device node, a directory. The writes that keep
/// the file (in-place writes of procfs/sysfs values, audit appends, the audit repair's
/// truncate) must refuse all four without blocking and without touching anything outside;
/// the writes that rename over the name replace it and leave the linked file alone.
@Suite struct PlantedFileAttackTests {
    enum Plant: String, CaseIterable, Sendable { case hardLink, fifo, device, directory }
    enum Write: String, CaseIterable, Sendable { case inPlace, append, truncate, atomic, quick }

    let base: String
    let root: String
    let outside: String

    init() throws {
        base = FileManager.default.temporaryDirectory.appendingPathComponent("ctfix-plant-\(UUID().uuidString)").path
        root = base + "/host"
        outside = base + "/outside"
        try FileManager.default.createDirectory(atPath: root + "/proc/sys/net/netfilter", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/var/log/ctfix", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try "root:$6$secret:19000:0:99999:7:::\n".write(toFile: outside + "/shadow", atomically: true, encoding: .utf8)
    }

    /// The host path each write is made at (the places the real commands use them).
    static func hostPath(_ write: Write) -> String {
        switch write {
        case .inPlace: "/proc/sys/net/netfilter/nf_conntrack_max"
        case .append, .truncate: "/var/log/ctfix/audit.jsonl"
        case .atomic: "/etc/sysctl.conf"
        case .quick: "/var/log/ctfix/audit.jsonl.head"
        }
    }

    func plant(_ plant: Plant, at hostPath: String) throws {
        let at = root + hostPath
        try FileManager.default.createDirectory(atPath: (at as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        switch plant {
        case .hardLink: try FileManager.default.linkItem(atPath: outside + "/shadow", toPath: at)
        case .fifo: #expect(mkfifo(at, 0o600) == 0)
        case .device: #expect(mknod(at, S_IFCHR | 0o600, dev_t((1 << 8) | 3)) == 0) // 1:3, like /dev/null
        case .directory: try FileManager.default.createDirectory(atPath: at, withIntermediateDirectories: false)
        }
    }

    func perform(_ write: Write, _ fs: RootedFileSystem) throws(FileSystemError) {
        let path = Self.hostPath(write)
        let data = Data("262144\n".utf8)
        switch write {
        case .inPlace: try fs.writeInPlace(data, to: path)
        case .append: try fs.appendDurably(data, to: path)
        case .truncate: try fs.truncateFile(path, toLength: 0)
        case .atomic: try fs.writeAtomically(data, to: path, mode: 0o644)
        case .quick: try fs.replaceQuickly(data, at: path)
        }
    }

    /// Names, sizes and contents outside the root.
    func outsideState() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: outside).sorted().map { name in
            "\(name):" + (FileManager.default.contents(atPath: outside + "/" + name).map { String(decoding: $0, as: UTF8.self) } ?? "?")
        }
    }

    @Test(arguments: Plant.allCases, Write.allCases)
    func aPlantedFileIsNeverWrittenThrough(_ plant: Plant, _ write: Write) throws {
        for resolution in [PathResolution.kernel, .walk] {
            let scene = try PlantedFileAttackTests()
            try scene.plant(plant, at: Self.hostPath(write))
            // A reader holds the FIFO open, so a write that wrongly opens it neither blocks
            // this test nor goes unnoticed: whatever reaches the pipe is read back below.
            let reader = plant == .fifo ? open(scene.root + Self.hostPath(write), O_RDONLY | O_NONBLOCK) : -1
            defer { if reader >= 0 { close(reader) } }
            let before = try scene.outsideState()
            let fs = try RootedFileSystem(root: scene.root, forceWalk: resolution == .walk)
            let renames = (write == .atomic || write == .quick) && plant == .hardLink
            do {
                try scene.perform(write, fs)
                #expect(renames, "\(write) into a planted \(plant) (\(resolution)) was not refused")
            } catch {
                #expect(!renames, "\(error)")
                if plant == .hardLink { #expect(error.reasonText.contains("hard links"), "\(error)") }
            }
            #expect(try scene.outsideState() == before, "\(write) into a planted \(plant) (\(resolution))")
            if reader >= 0 {
                var byte: UInt8 = 0
                #expect(read(reader, &byte, 1) <= 0, "\(write) wrote into a planted FIFO (\(resolution))")
            }
            if plant == .directory {
                #expect(try FileManager.default.contentsOfDirectory(atPath: scene.root + Self.hostPath(write)).isEmpty)
            }
        }
    }

    /// A device planted where ctfix reads a value or a log (`/dev/zero` as `nf_conntrack_count` in
    /// an unpacked snapshot) never ends: reading it to its end exhausted memory. Only regular
    /// files are opened for reading (`/dev/kmsg` has its own reader). `openForReading` is asked
    /// first so that, were it to accept the device, the test fails without reading it.
    @Test(arguments: [Plant.device, .fifo, .directory])
    func aReaderRefusesAnythingButARegularFile(_ plant: Plant) throws {
        let path = "/proc/sys/net/netfilter/nf_conntrack_count"
        let at = root + path
        try FileManager.default.createDirectory(atPath: (at as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        if plant == .device {
            #expect(mknod(at, S_IFCHR | 0o600, dev_t((1 << 8) | 5)) == 0) // 1:5, like /dev/zero
        } else {
            try self.plant(plant, at: path)
        }
        for resolution in [PathResolution.kernel, .walk] {
            let fs = try RootedFileSystem(root: root, forceWalk: resolution == .walk)
            #expect(throws: FileSystemError.self, "\(plant) (\(resolution))") { _ = try fs.openForReading(path) }
            guard (try? fs.openForReading(path)) == nil else { continue }
            #expect(throws: FileSystemError.self, "\(plant) (\(resolution))") { _ = try fs.readFile(path) }
        }
    }

    /// A FIFO nobody reads: opening it for writing would wait for a reader for ever. The write
    /// runs on its own thread; if it is still blocked after a generous while, the test opens
    /// the FIFO itself to release it and records the hang (this is a hang guard, not a timing).
    @Test(arguments: [Write.inPlace, .append, .truncate])
    func aFifoWithoutAReaderDoesNotBlock(_ write: Write) throws {
        try plant(.fifo, at: Self.hostPath(write))
        let fs = try RootedFileSystem(root: root)
        let done = DispatchSemaphore(value: 0)
        let thread = Thread { [self] in
            _ = try? perform(write, fs)
            done.signal()
        }
        thread.start()
        if done.wait(timeout: .now() + 30) == .timedOut {
            Issue.record("\(write) blocked on a FIFO with no reader")
            let release = open(root + Self.hostPath(write), O_RDONLY | O_NONBLOCK)
            done.wait()
            close(release)
        }
    }
}
