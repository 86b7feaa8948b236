import Foundation
import Testing
@testable import CtfixCore

/// The system boundary: host paths resolve under the root and never leave it.
@Suite struct RootedFileSystemTests {
    let root: String
    let outside: String
    let fs: RootedFileSystem

    init() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("ctfix-root-\(UUID().uuidString)").path
        root = base + "/host"
        outside = base + "/secret"
        try FileManager.default.createDirectory(atPath: root + "/etc/sysctl.d", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/proc/sys/net/netfilter", withIntermediateDirectories: true)
        try "password\n".write(toFile: outside, atomically: true, encoding: .utf8)
        try "65536\n".write(toFile: root + "/proc/sys/net/netfilter/nf_conntrack_max", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: root + "/etc/escape", withDestinationPath: outside)
        try FileManager.default.createSymbolicLink(atPath: root + "/etc/absolute", withDestinationPath: "/etc/hostname")
        try FileManager.default.createSymbolicLink(atPath: root + "/etc/inside", withDestinationPath: "sysctl.d")
        try FileManager.default.createSymbolicLink(atPath: root + "/etc/dir-escape", withDestinationPath: (outside as NSString).deletingLastPathComponent)
        fs = try RootedFileSystem(root: root)
    }

    @Test func hostPathsResolveUnderTheRoot() throws {
        #expect(try fs.readText("/proc/sys/net/netfilter/nf_conntrack_max") == "65536\n")
        #expect(try fs.readText("//proc/./sys/net/netfilter/nf_conntrack_max") == "65536\n")
        #expect(fs.exists("/etc/inside"))
    }

    @Test(arguments: ["/etc/escape", "/etc/absolute", "/etc/dir-escape/secret"])
    func symlinksLeavingTheRootAreRefused(_ path: String) {
        #expect(throws: FileSystemError(path: path, reason: .escapesRoot)) { try fs.readFile(path) }
    }

    @Test func writesThroughALinkOutOfTheRootAreRefused() {
        #expect(throws: FileSystemError.self) { try fs.writeAtomically(Data("x".utf8), to: "/etc/dir-escape/new", mode: 0o644) }
        #expect(!FileManager.default.fileExists(atPath: (outside as NSString).deletingLastPathComponent + "/new"))
    }

    @Test(arguments: ["/etc/../../secret", "relative/path", "/etc/\0x"])
    func invalidPathsAreRefusedBeforeTouchingAnything(_ path: String) {
        #expect(throws: FileSystemError.self) { try fs.readFile(path) }
    }

    @Test func atomicWritesReplaceAndKeepPermissions() throws {
        let path = root + "/etc/sysctl.d/90-x.conf"
        try "old\n".write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o640)
        try fs.writeAtomically(Data("new\n".utf8), to: "/etc/sysctl.d/90-x.conf", mode: 0o600)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "new\n")
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o640)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: root + "/etc/sysctl.d").filter { $0.contains(".ctfix-") }
        #expect(leftovers.isEmpty)
    }

    @Test func aMissingRootIsAnErrorNamingIt() {
        #expect(throws: FileSystemError.self) { try RootedFileSystem(root: root + "/nope") }
    }

    @Test func aSecondLockWaitsThenGivesUp() throws {
        try fs.createDirectory("/run")
        let first = try #require(try fs.lockExclusively("/run/ctfix.lock", wait: .zero))
        #expect(try fs.lockExclusively("/run/ctfix.lock", wait: .milliseconds(100)) == nil)
        withExtendedLifetime(first) {}
    }
}
