import Foundation
import Testing
@testable import CtfixCore

/// The system boundary: host paths resolve under the root descriptor and never leave it, with
/// the kernel's `openat2(RESOLVE_IN_ROOT)` and with the user-space walk alike. Every test runs
/// for both resolutions.
@Suite struct RootedFileSystemTests {
    let base: String
    let root: String
    let outside: String

    init() throws {
        base = FileManager.default.temporaryDirectory.appendingPathComponent("ctfix-root-\(UUID().uuidString)").path
        root = base + "/host"
        outside = base + "/outside"
        try FileManager.default.createDirectory(atPath: root + "/etc/sysctl.d", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/proc/sys/net/netfilter", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try "password\n".write(toFile: outside + "/secret", atomically: true, encoding: .utf8)
        try "65536\n".write(toFile: root + "/proc/sys/net/netfilter/nf_conntrack_max", atomically: true, encoding: .utf8)
        try link("/etc/escape", to: outside + "/secret")
        try link("/etc/absolute", to: "/etc/hostname")
        try link("/etc/inside", to: "sysctl.d")
        try link("/etc/dir-escape", to: outside)
        try link("/etc/climb", to: "../../../../../../../../" + outside.dropFirst() + "/secret")
    }

    func link(_ hostPath: String, to target: String) throws {
        try FileManager.default.createSymbolicLink(atPath: root + hostPath, withDestinationPath: target)
    }

    func fileSystem(_ resolution: PathResolution) throws -> RootedFileSystem {
        let fs = try RootedFileSystem(root: root, forceWalk: resolution == .walk)
        // A kernel before 5.6 (or a seccomp filter) has no openat2: the walk stands in.
        #expect(fs.resolution == resolution || resolution == .kernel && !Self.kernelHasOpenat2)
        return fs
    }

    /// Names, sizes and contents of everything under `outside`, to compare before and after.
    func outsideState() throws -> [String] {
        let enumerator = try #require(FileManager.default.enumerator(atPath: outside))
        return enumerator.compactMap { $0 as? String }.sorted().map { name in
            let data = FileManager.default.contents(atPath: outside + "/" + name)
            return "\(name):\(data?.count ?? -1):\(data.map { String(decoding: $0, as: UTF8.self) } ?? "")"
        }
    }

    static let resolutions: [PathResolution] = [.kernel, .walk]
    static let kernelHasOpenat2: Bool = {
        let fd = open("/", O_PATH | O_DIRECTORY)
        defer { close(fd) }
        return RootDescriptor.kernelResolves(fd)
    }()

    @Test(arguments: resolutions)
    func hostPathsResolveUnderTheRoot(_ resolution: PathResolution) throws {
        let fs = try fileSystem(resolution)
        #expect(try fs.readText("/proc/sys/net/netfilter/nf_conntrack_max") == "65536\n")
        #expect(try fs.readText("//proc/./sys/net/netfilter/nf_conntrack_max") == "65536\n")
        #expect(fs.exists("/etc/inside"))
        #expect(try fs.listDirectory("/etc/inside") == [])
    }

    /// A link out of the root is read as the host would read it: its target *inside* the
    /// root. Where that does not exist the read fails; where it does, that file is read.
    @Test(arguments: resolutions, ["/etc/escape", "/etc/absolute", "/etc/dir-escape/secret", "/etc/climb"])
    func symlinksLeavingTheRootResolveInsideIt(_ resolution: PathResolution, _ path: String) throws {
        let fs = try fileSystem(resolution)
        #expect(throws: FileSystemError.self) { try fs.readFile(path) }
        // Plant the in-root counterpart of the outside file: that is what is read.
        try FileManager.default.createDirectory(atPath: root + outside, withIntermediateDirectories: true)
        try "inside\n".write(toFile: root + outside + "/secret", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: root + "/etc", withIntermediateDirectories: true)
        try "host\n".write(toFile: root + "/etc/hostname", atomically: true, encoding: .utf8)
        #expect(try fs.readText(path) == (path == "/etc/absolute" ? "host\n" : "inside\n"))
    }

    @Test(arguments: resolutions)
    func writesThroughAnIntermediateLinkStayInsideTheRoot(_ resolution: PathResolution) throws {
        let fs = try fileSystem(resolution)
        let before = try outsideState()
        try? fs.createDirectory("/etc/dir-escape/sub")
        try? fs.writeAtomically(Data("x".utf8), to: "/etc/dir-escape/new", mode: 0o644)
        try? fs.appendDurably(Data("x".utf8), to: "/etc/dir-escape/log")
        _ = try? fs.lockExclusively("/etc/dir-escape/lock", wait: .zero)
        #expect(try outsideState() == before)
        // They landed (or failed) inside the root, where the link means `outside` on the host.
        #expect(!FileManager.default.fileExists(atPath: outside + "/new"))
    }

    /// Every write refuses a symlink as its last component, dangling or live, in or out of
    /// the root, and names the path.
    @Test(arguments: resolutions, ["/etc/escape", "/etc/absolute", "/etc/inside", "/etc/dangling"])
    func writesRefuseASymlinkAsTheLastComponent(_ resolution: PathResolution, _ path: String) throws {
        let fs = try fileSystem(resolution)
        try? link("/etc/dangling", to: outside + "/created-through-link")
        let before = try outsideState()
        let refusal = FileSystemError(path: path, reason: .symbolicLink)
        #expect(throws: refusal) { try fs.writeAtomically(Data("x".utf8), to: path, mode: 0o644) }
        #expect(throws: refusal) { try fs.replaceQuickly(Data("x".utf8), at: path) }
        #expect(throws: refusal) { try fs.appendDurably(Data("x".utf8), to: path) }
        #expect(throws: refusal) { try fs.writeInPlace(Data("x".utf8), to: path) }
        #expect(throws: refusal) { _ = try fs.lockExclusively(path, wait: .zero) }
        #expect(refusal.description.contains(path))
        #expect(try outsideState() == before)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: root + path).isEmpty == false)
    }

    @Test(arguments: resolutions)
    func aLinkLoopIsAnErrorNotAHang(_ resolution: PathResolution) throws {
        let fs = try fileSystem(resolution)
        try link("/etc/loop-a", to: "loop-b")
        try link("/etc/loop-b", to: "loop-a")
        #expect(throws: FileSystemError.self) { try fs.readFile("/etc/loop-a/x") }
    }

    @Test(arguments: resolutions, ["/etc/../../outside/secret", "relative/path", "/etc/\0x"])
    func invalidPathsAreRefusedBeforeTouchingAnything(_ resolution: PathResolution, _ path: String) throws {
        let fs = try fileSystem(resolution)
        #expect(throws: FileSystemError.self) { try fs.readFile(path) }
        #expect(throws: FileSystemError.self) { try fs.writeAtomically(Data(), to: path, mode: 0o644) }
    }

    @Test(arguments: resolutions)
    func atomicWritesReplaceAndKeepPermissions(_ resolution: PathResolution) throws {
        let fs = try fileSystem(resolution)
        let path = root + "/etc/sysctl.d/90-x.conf"
        try "old\n".write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o640)
        try fs.writeAtomically(Data("new\n".utf8), to: "/etc/sysctl.d/90-x.conf", mode: 0o600)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "new\n")
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o640)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: root + "/etc/sysctl.d").filter { $0.contains(".ctfix-") }
        #expect(leftovers.isEmpty)
        // Through a link to a directory inside the root, as /var/run → /run on real hosts.
        try fs.writeAtomically(Data("via\n".utf8), to: "/etc/inside/91-y.conf", mode: 0o644)
        #expect(try String(contentsOfFile: root + "/etc/sysctl.d/91-y.conf", encoding: .utf8) == "via\n")
    }

    @Test(arguments: resolutions)
    func createDirectoryMakesParentsAndRemoveFileUnlinksOnlyTheName(_ resolution: PathResolution) throws {
        let fs = try fileSystem(resolution)
        try fs.createDirectory("/var/lib/ctfix/backups/run")
        #expect(try fs.info("/var/lib/ctfix/backups/run")?.kind == .directory)
        try fs.removeFile("/etc/escape")
        #expect(FileManager.default.fileExists(atPath: outside + "/secret"))
        #expect(throws: FileSystemError.self) { try fs.createDirectory("/proc/sys/net/netfilter/nf_conntrack_max/x") }
    }

    @Test func aMissingRootIsAnErrorNamingIt() {
        #expect(throws: FileSystemError.self) { try RootedFileSystem(root: root + "/nope") }
    }

    @Test(arguments: resolutions)
    func aSecondLockWaitsThenGivesUp(_ resolution: PathResolution) throws {
        let fs = try fileSystem(resolution)
        try fs.createDirectory("/run")
        let first = try #require(try fs.lockExclusively("/run/ctfix.lock", wait: .zero))
        #expect(try fs.lockExclusively("/run/ctfix.lock", wait: .milliseconds(100)) == nil)
        withExtendedLifetime(first) {}
    }

    /// The root is held by descriptor: moving the directory away and putting a link to
    /// `outside` in its place does not move the boundary.
    @Test(arguments: resolutions)
    func renamingTheRootAwayDoesNotMoveTheBoundary(_ resolution: PathResolution) throws {
        let fs = try fileSystem(resolution)
        try FileManager.default.moveItem(atPath: root, toPath: base + "/moved")
        try FileManager.default.createSymbolicLink(atPath: root, withDestinationPath: outside)
        let before = try outsideState()
        try fs.writeAtomically(Data("y".utf8), to: "/etc/sysctl.d/92-z.conf", mode: 0o644)
        #expect(try outsideState() == before)
        #expect(FileManager.default.fileExists(atPath: base + "/moved/etc/sysctl.d/92-z.conf"))
    }

    /// The race `realpath`-then-open lost: another thread keeps swapping a directory on the
    /// way for a symlink to `outside` while writes, appends and locks go through it. Whatever
    /// the interleaving, nothing appears outside the root.
    @Test(arguments: resolutions)
    func swappingADirectoryForALinkDuringWritesNeverEscapes(_ resolution: PathResolution) async throws {
        let fs = try fileSystem(resolution)
        try FileManager.default.createDirectory(atPath: root + "/var/sw", withIntermediateDirectories: true)
        let before = try outsideState()
        let swapped = root + "/var/sw"
        let parked = root + "/var/sw-parked"
        let outsideDirectory = outside
        let flipper = Task.detached {
            for _ in 0..<400 {
                rename(swapped, parked)
                symlink(outsideDirectory, swapped)
                unlink(swapped)
                rename(parked, swapped)
            }
        }
        for index in 0..<400 {
            try? fs.writeAtomically(Data("w\(index)".utf8), to: "/var/sw/file", mode: 0o644)
            try? fs.appendDurably(Data("a".utf8), to: "/var/sw/log")
            _ = try? fs.lockExclusively("/var/sw/lock", wait: .zero)
            try? fs.createDirectory("/var/sw/sub/dir")
        }
        await flipper.value
        #expect(try outsideState() == before)
    }
}
