import Foundation
import Testing
@testable import CtfixCore

/// HostPath reads a path's bytes as the kernel does. The former checks read Characters (and
/// Foundation's `contains("\0")`): a `/`, `..` or NUL with a combining mark after it was one
/// grapheme to them and passed, while the kernel still saw a separator, a parent or the end of
/// the string. These tests attack that, and compare with the former code everywhere else.
@Suite struct HostPathBytesTests {
    typealias SplitMix = LogByteSearchTests.SplitMix

    /// The former `HostPath.normalize`, for the comparison.
    static func oldNormalize(_ path: String) -> String? {
        guard path.hasPrefix("/"), !path.contains("\0") else { return nil }
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." { return nil }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }

    static func newNormalize(_ path: String) -> String? { try? HostPath.normalize(path) }

    /// True when a `/` of the path is not a Character of its own (a mark joined it, or it
    /// follows a prepended scalar), or a NUL has a non-ASCII scalar after it (Foundation's
    /// search refused a match before a mark): the only places the two readings may differ.
    static func hidesASeparator(_ path: String) -> Bool {
        let scalars = Array(path.unicodeScalars)
        return path.contains { $0.unicodeScalars.count > 1 && $0.unicodeScalars.contains("/") }
            || scalars.indices.contains { scalars[$0] == "\0" && $0 + 1 < scalars.count && !scalars[$0 + 1].isASCII }
    }

    @Test func generatedPathsNormaliseAsBeforeUnlessAMarkHidTheSeparator() {
        var random = SplitMix(state: 0x7061_7468)
        let pieces = ["/", "//", ".", "..", "a", "etc", "sysctl.d", "\0", "\u{301}", "\u{20DD}", "\u{200D}", "\u{0600}", "é", " ", "\r\n", "~"]
        var accepted = 0, differing = 0
        for _ in 0..<20_000 {
            let path = (random.next() % 3 == 0 ? "" : "/") + LiteralTextTests.text(&random, from: random.next() % 5 == 0 ? LiteralTextTests.pieces : pieces, maximum: 10)
            let old = Self.oldNormalize(path), new = Self.newNormalize(path)
            if old != new {
                differing += 1
                #expect(Self.hidesASeparator(path), "\(Array(path.unicodeScalars)): \(String(describing: old)) → \(String(describing: new))")
            }
            guard let new else { continue }
            accepted += 1
            // Whatever was accepted is what the kernel will resolve: no NUL, no `.`/`..`/empty component.
            let components = new.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).dropFirst()
            #expect(new.utf8.first == UInt8(ascii: "/") && !new.utf8.contains(0))
            #expect(new == "/" || components.allSatisfy { !$0.isEmpty && !$0.elementsEqual(".".utf8) && !$0.elementsEqual("..".utf8) }, "\(Array(new.unicodeScalars))")
            #expect(!HostPath.basename(new).utf8.contains(UInt8(ascii: "/")))
            #expect(HostPath.parent(of: new) + (HostPath.parent(of: new) == "/" ? "" : "/") + HostPath.basename(new) == new)
        }
        #expect(accepted > 5_000)
        #expect(differing > 0) // the generator does reach the hidden separators
    }

    @Test(arguments: [("/a/../\u{301}b", "'..' is not allowed"), ("/etc/x\0\u{301}", "contains a NUL byte"),
                      ("/a/..\u{0600}/../\u{20DD}", "'..' is not allowed"), ("/proc/sys/net\0\u{301}/x", "contains a NUL byte")])
    func aMarkAfterASeparatorDoesNotHideIt(_ path: String, _ reason: String) {
        #expect(Self.oldNormalize(path) != nil) // what the former check let through
        #expect(throws: FileSystemError(path: path, reason: .invalidPath(reason))) { try HostPath.normalize(path) }
    }

    /// SysctlBootConfig splits its (normalised) extra files with HostPath, as NSString did,
    /// except where a mark hid a `/` from NSString too (`/etc/sysctl.d/\u{301}x.conf` was
    /// `sysctl.d/\u{301}x.conf` in `/etc` to it, not a file of `/etc/sysctl.d`).
    @Test func normalisedPathsSplitAsNSStringSplitsThem() {
        var random = SplitMix(state: 0x6E73_7374)
        let pieces = ["/", "etc", "sysctl.d", "90-ctfix.conf", "sysctl.conf", ".", "..", "é", "\u{301}", " ", "a.b", "~"]
        var compared = 0
        for _ in 0..<12_000 {
            guard let path = Self.newNormalize("/" + LiteralTextTests.text(&random, from: pieces, maximum: 8)), path != "/",
                  !Self.hidesASeparator(path) else { continue }
            #expect(HostPath.parent(of: path) == (path as NSString).deletingLastPathComponent, "\(Array(path.unicodeScalars))")
            #expect(HostPath.basename(path) == (path as NSString).lastPathComponent, "\(Array(path.unicodeScalars))")
            compared += 1
        }
        #expect(compared > 4_000)
        let marked = "/etc/sysctl.d/\u{301}x.conf"
        #expect((marked as NSString).deletingLastPathComponent == "/etc")
        #expect(HostPath.parent(of: marked) == "/etc/sysctl.d" && HostPath.basename(marked) == "\u{301}x.conf")
    }

    @Test func theLastComponentNeverHoldsASlash() throws {
        let path = try HostPath.normalize("/d/\u{301}victim")
        #expect(path == "/d/\u{301}victim")
        #expect(HostPath.parent(of: path) == "/d")
        #expect(HostPath.basename(path) == "\u{301}victim")
    }

    /// The former basename of `/d/\u{301}victim` was `d/\u{301}victim` in the root directory:
    /// `unlinkat(root, "d/\u{301}victim")` followed a planted symlink `d` out of the root and
    /// removed a file there. Now the parent `/d` is resolved inside the root, as every path is.
    @Test func removingThroughAPlantedLinkWithAMarkStaysInTheRoot() throws {
        let root = try Self.temporaryDirectory(), outside = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root); try? FileManager.default.removeItem(atPath: outside) }
        let victim = outside + "/\u{301}victim"
        try Data("keep".utf8).write(to: URL(fileURLWithPath: victim))
        #expect(symlink(outside, root + "/d") == 0)
        let fs = try RootedFileSystem(root: root)
        try? fs.removeFile("/d/\u{301}victim")
        try? fs.writeAtomically(Data("planted".utf8), to: "/d/\u{301}new", mode: 0o644)
        #expect(FileManager.default.fileExists(atPath: victim))
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside) == ["\u{301}victim"])
    }

    static func temporaryDirectory() throws -> String {
        var template = Array(("/tmp/ctfix-hostpath-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
        return String(cString: made)
    }
}
