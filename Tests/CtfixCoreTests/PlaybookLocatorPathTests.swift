import Foundation
import Testing
@testable import CtfixCore

/// `PlaybookLocator.standard` works out the installed and checkout directories from the
/// binary's path with `ExecutablePath` (strings, realpath, readlink). Here it is compared with
/// the `URL`/`FileManager` code it replaced, kept below as `foundationStandard`, on a scratch
/// tree of real binaries, absolute, relative and chained symlinks, symlinked directories,
/// dangling links and loops, `Package.swift` files, directories and links at every depth, and
/// 3 000 generated executable paths through it (with `.`, `..`, `//`, relative to the current
/// directory, missing components).
@Suite final class PlaybookLocatorPathTests {
    typealias SplitMix = NameRuleTests.SplitMix
    let base: String

    init() throws {
        base = try TrustedScratch.directory("ctfix-locator-paths")
        let fm = FileManager.default
        for directory in ["real/usr/bin", "real/usr/share/ctfix/playbooks", "checkout/.build/release", "links", "deep/a/b/c/d/e/f",
                          "pkgdir/Package.swift", "pkgdir/bin", "pkglink/bin", "pkgdangling/bin", "nested/checkout/x/y/z"] {
            try fm.createDirectory(atPath: "\(base)/\(directory)", withIntermediateDirectories: true)
        }
        for file in ["real/usr/bin/ctfix", "checkout/Package.swift", "checkout/.build/release/ctfix", "deep/a/b/c/d/e/f/ctfix",
                     "deep/Package.swift", "deep/a/Package.swift", "pkgdir/bin/ctfix", "pkglink/bin/ctfix", "pkgdangling/bin/ctfix",
                     "nested/checkout/Package.swift", "nested/checkout/x/y/z/ctfix", "nested/Package.swift"] {
            try TrustedScratch.write("#!/bin/sh\n", to: "\(base)/\(file)")
        }
        for (link, target) in [("links/abs", "\(base)/real/usr/bin/ctfix"), ("links/rel", "../real/usr/bin/ctfix"), ("links/chain", "abs"),
                               ("links/dirlink", "../checkout/.build"), ("links/dangling", "nowhere"), ("links/loop1", "loop2"),
                               ("links/loop2", "loop1"), ("links/up", ".."), ("links/self", "."), ("checkout/.build/debug", "release"),
                               ("pkglink/Package.swift", "../checkout/Package.swift"), ("pkgdangling/Package.swift", "gone"),
                               ("links/deepdir", "\(base)/deep/a/b/c"), ("real/usr/bin/ctfix-link", "../../../links/chain")] {
            try fm.createSymbolicLink(atPath: "\(base)/\(link)", withDestinationPath: target)
        }
    }

    deinit {
        try? FileManager.default.removeItem(atPath: base)
    }

    /// The code `standard(environment:executable:)` had before, verbatim.
    static func foundationStandard(environment: [String: String], executable: String) -> PlaybookLocator {
        var directories: [PlaybookLocator.Directory] = []
        for path in (environment["CTFIX_PLAYBOOKS"] ?? "").split(separator: ":") where !path.isEmpty {
            directories.append(.init(path: String(path), origin: "CTFIX_PLAYBOOKS"))
        }
        directories.append(.init(path: "/etc/ctfix/playbooks", origin: "system"))
        let binary = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
        directories.append(.init(path: binary.appendingPathComponent("../share/ctfix/playbooks").standardized.path, origin: "installed"))
        var candidate = binary
        for _ in 0..<5 {
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("Package.swift").path) {
                directories.append(.init(path: candidate.appendingPathComponent("playbooks").path, origin: "checkout"))
                break
            }
            candidate = candidate.deletingLastPathComponent()
        }
        return PlaybookLocator(directories: directories)
    }

    /// `base` as a path relative to the current directory (`../../…/base`).
    var relativeBase: String {
        let cwd = FileManager.default.currentDirectoryPath.split(separator: "/")
        return String(repeating: "../", count: cwd.count) + base.dropFirst()
    }

    func check(_ executable: String, _ environment: [String: String] = [:]) {
        let ours = PlaybookLocator.standard(environment: environment, executable: executable).directories
        let theirs = Self.foundationStandard(environment: environment, executable: executable).directories
        #expect(ours == theirs, "\(executable)")
    }

    @Test("named cases: real binaries, symlinks of every kind, checkouts at every depth")
    func namedCases() {
        let cases = ["real/usr/bin/ctfix", "links/abs", "links/rel", "links/chain", "links/dirlink/release/ctfix", "links/dirlink/debug/ctfix",
                     "links/dangling", "links/loop1", "links/up/real/usr/bin/ctfix", "links/self/abs", "links/dirlink/../Package.swift",
                     "links/dirlink/../checkout/x", "deep/a/b/c/d/e/f/ctfix", "links/deepdir/d/e/f/ctfix", "pkgdir/bin/ctfix",
                     "pkglink/bin/ctfix", "pkgdangling/bin/ctfix", "nested/checkout/x/y/z/ctfix", "real/usr/bin/ctfix-link",
                     "real//usr/./bin/../bin/ctfix", "real/usr/bin/../../../links/rel", "missing/../real/usr/bin/ctfix", "real/usr/bin/ctfix/"]
        for path in cases {
            check(base + "/" + path)
            check(relativeBase + "/" + path)
        }
        check(base + "/real/usr/bin/ctfix", ["CTFIX_PLAYBOOKS": "/a::/b c:"])
        for path in ["/", "/ctfix-no-such-binary", "/../ctfix", "//ctfix", "/proc/self/exe", "ctfix", "./ctfix", "../ctfix", "/usr/bin/env"] {
            check(path)
        }
        check(PlaybookLocator.currentExecutable)
    }

    @Test("3 000 generated executable paths give the directories URL gave")
    func generatedPaths() {
        let pieces = ["real", "usr", "bin", "ctfix", "ctfix-link", "..", ".", "", "links", "abs", "rel", "chain", "dirlink", "release",
                      "debug", "dangling", "loop1", "up", "self", "deepdir", "checkout", ".build", "deep", "a", "b", "c", "d", "e", "f",
                      "Package.swift", "pkgdir", "pkglink", "nested", "x", "y", "z", "é", "e\u{301}", "with space"]
        var random = SplitMix(state: 0x5EED_10C8)
        for _ in 0..<3000 {
            let tail = (0..<Int.random(in: 1...8, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined(separator: "/")
            let start = [base, relativeBase, base + "/links", base + "/real/usr/bin"].randomElement(using: &random)!
            check(start + "/" + tail)
        }
    }

    @Test("a name is found where FileManager found it: files, directories, symlinks followed, dangling links not")
    func resolveMatchesFileExists() throws {
        let directory = base + "/names"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try TrustedScratch.write("x", to: directory + "/file.yaml")
        try FileManager.default.createDirectory(atPath: directory + "/dir.yaml", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: directory + "/link.yml", withDestinationPath: "file.yaml")
        try FileManager.default.createSymbolicLink(atPath: directory + "/dangling.yaml", withDestinationPath: "gone.yaml")
        let locator = PlaybookLocator(directories: [.init(path: directory, origin: "CTFIX_PLAYBOOKS")])
        for name in ["file", "dir", "link", "dangling", "gone", "é"] {
            let expected = [".yaml", ".yml"].map { directory + "/" + name + $0 }.first { FileManager.default.fileExists(atPath: $0) }
            #expect(locator.resolve(name)?.path == expected, "\(name)")
        }
    }

    @Test("the running binary is /proc/self/exe's target, as FileManager read it")
    func currentExecutableIsTheLinkTarget() throws {
        #expect(PlaybookLocator.currentExecutable == (try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")))
        #expect(ExecutablePath.linkTarget(base + "/links/rel") == "../real/usr/bin/ctfix")
        #expect(ExecutablePath.linkTarget(base + "/real/usr/bin/ctfix") == nil)
    }
}
