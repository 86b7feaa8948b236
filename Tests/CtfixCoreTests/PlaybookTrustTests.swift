import Foundation
import Testing
@testable import CtfixCore

/// Attacks on the playbook trust rule with the rules injected as if ctfix ran as root (euid 0,
/// invoking user = this test's user), on real files in a trusted scratch directory: each test
/// loosens one file or directory, or plants a link, and expects the refusal to name it and the fix.
@Suite final class PlaybookTrustTests {
    let base: String
    let trust = TrustedScratch.rootTrust
    static let text = "version: 1\n# a playbook\n"

    init() throws { base = try TrustedScratch.directory("ctfix-trust") }
    deinit { try? FileManager.default.removeItem(atPath: base) }

    /// `base/a/b/playbook.yaml`, every part trusted until a test changes it.
    func plant(_ text: String = PlaybookTrustTests.text) throws -> (dir: String, file: String) {
        let dir = base + "/a/b"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        chmod(base + "/a", 0o755)
        chmod(dir, 0o755)
        try TrustedScratch.write(text, to: dir + "/playbook.yaml")
        return (dir, dir + "/playbook.yaml")
    }

    func violation(_ path: String, trust: PlaybookTrust? = nil) -> PlaybookTrust.Violation? {
        do {
            _ = try (trust ?? self.trust).read(path)
            return nil
        } catch {
            guard case .untrusted(let violation) = error else { Issue.record("expected untrusted, got \(error)"); return nil }
            return violation
        }
    }

    @Test func aTrustedPlaybookIsReadFromTheDescriptorThatWasJudged() throws {
        let (_, file) = try plant()
        #expect(try trust.read(file) == Data(Self.text.utf8))
        #expect(try trust.read(base + "/a/./b/../b/playbook.yaml") == Data(Self.text.utf8))
    }

    @Test("a playbook writable by group or others is refused, naming it and chmod go-w",
          arguments: [(0o666, "group and others"), (0o664, "group"), (0o646, "others"), (0o602, "others")])
    func aWritablePlaybookIsRefused(mode: Int, who: String) throws {
        let (_, file) = try plant()
        chmod(file, mode_t(mode))
        let found = try #require(violation(file))
        #expect(found.path == file && !found.isDirectory)
        #expect(found.description.hasPrefix("untrusted playbook: \(file) is writable by \(who) (mode 0\(String(mode, radix: 8)))"))
        #expect(found.description.hasSuffix("fix: chmod go-w \(file)"))
    }

    /// Whatever the group — gid 0 (`root`) included. sudo accepts a group-writable sudoers
    /// path when its group is gid 0; ctfix does not: membership of group 0 is not root (several
    /// distributions have added users to it), and the stricter rule costs only a `chmod g-w`.
    @Test func aGroupWritableDirectoryAboveIsRefused() throws {
        let (_, file) = try plant()
        if getuid() == 0 { #expect(chown(base + "/a", 0, 0) == 0) }
        chmod(base + "/a", 0o775)
        let found = try #require(violation(file))
        #expect(found.path == base + "/a" && found.isDirectory)
        #expect(found.description.contains("directory \(base)/a is writable by group (mode 0775)"))
        #expect(found.description.hasSuffix("fix: chmod go-w \(base)/a"))
    }

    @Test("a sticky world-writable directory (like /tmp) is still refused; the fix is to move the playbook")
    func aStickyWorldWritableDirectoryIsRefused() throws {
        let (dir, file) = try plant()
        chmod(dir, 0o1777)
        let found = try #require(violation(file))
        #expect(found.path == dir && found.problem == .writable(mode: 0o1777))
        #expect(found.description.contains("(mode 1777)"))
        #expect(found.fix == "move the playbook out of the shared directory \(dir), e.g. to /etc/ctfix/playbooks")
    }

    @Test(.enabled(if: getuid() == 0, "needs root to chown"))
    func aPlaybookOrDirectoryOwnedByAnotherUserIsRefused() throws {
        let (dir, file) = try plant()
        #expect(chown(file, 65534, 65534) == 0)
        let found = try #require(violation(file))
        #expect(found.problem == .owner(uid: 65534))
        #expect(found.description.contains("\(file) is owned by uid 65534"))
        #expect(found.description.hasSuffix("fix: chown root \(file)"))
        // The invoking user behind sudo (SUDO_UID) may own it.
        #expect(violation(file, trust: PlaybookTrust(effectiveUID: 0, invokingUID: 65534)) == nil)
        #expect(PlaybookTrust.process(environment: ["SUDO_UID": "65534"]).trustedOwners.contains(65534))

        #expect(chown(file, 0, 0) == 0)
        #expect(chown(dir, 65534, 65534) == 0)
        let above = try #require(violation(file))
        #expect(above.path == dir && above.isDirectory && above.problem == .owner(uid: 65534))
        #expect(above.fix == "chown root \(dir)")
    }

    @Test func aLinkIsFollowedAndItsTargetsDirectoriesAreJudged() throws {
        let (dir, file) = try plant()
        let shared = base + "/shared"
        try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: false)
        chmod(shared, 0o1777)
        try TrustedScratch.write("planted\n", to: shared + "/evil.yaml")
        // A trusted link to a trusted file is read through.
        try FileManager.default.createSymbolicLink(atPath: dir + "/good.yaml", withDestinationPath: "playbook.yaml")
        #expect(try trust.read(dir + "/good.yaml") == Data(Self.text.utf8))
        // A trusted link into a world-writable directory: the directory is refused.
        try FileManager.default.createSymbolicLink(atPath: dir + "/evil.yaml", withDestinationPath: shared + "/evil.yaml")
        #expect(violation(dir + "/evil.yaml")?.path == shared)
        // A linked directory on the way is judged the same.
        try FileManager.default.createSymbolicLink(atPath: dir + "/via", withDestinationPath: "../../shared")
        #expect(violation(dir + "/via/evil.yaml")?.path == shared)
        // Every directory the walk passes through is judged, even one it leaves again by `..`
        // (which goes up from the link's target, as the kernel resolves it).
        #expect(violation(dir + "/via/../a/b/playbook.yaml")?.path == shared)
        chmod(shared, 0o755)
        #expect(try trust.read(dir + "/via/../a/b/playbook.yaml") == Data(Self.text.utf8))
        #expect(try trust.read(file) == Data(Self.text.utf8))
    }

    /// Stops a background thread.
    final class Flag: @unchecked Sendable {
        private let lock = NSLock()
        private var raised = false
        func raise() { lock.withLock { raised = true } }
        var isRaised: Bool { lock.withLock { raised } }
    }

    @Test("racing: the playbook is swapped between a trusted file and a link into /tmp-like space; the planted text is never returned")
    func aSwapDuringTheWalkNeverLoadsThePlantedFile() throws {
        let (dir, file) = try plant()
        let shared = base + "/shared"
        try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: false)
        chmod(shared, 0o1777)
        try TrustedScratch.write("planted\n", to: shared + "/evil.yaml")
        #expect(link(file, dir + "/good") == 0)
        let stop = Flag()
        let swapper = Thread {
            while !stop.isRaised {
                unlink(dir + "/l.tmp")
                symlink(shared + "/evil.yaml", dir + "/l.tmp")
                rename(dir + "/l.tmp", file)
                unlink(dir + "/g.tmp")
                link(dir + "/good", dir + "/g.tmp")
                rename(dir + "/g.tmp", file)
            }
        }
        swapper.start()
        defer { stop.raise() }
        var (read, refused, other, planted) = (0, 0, 0, 0)
        for _ in 0..<2000 {
            do {
                let data = try trust.read(file)
                if data == Data("planted\n".utf8) { planted += 1 } else if data == Data(Self.text.utf8) { read += 1 } else { other += 1 }
            } catch .untrusted {
                refused += 1
            } catch {
                other += 1 // the entry vanished mid-swap (not found): an error, never the planted text
            }
        }
        stop.raise()
        #expect(planted == 0, "read \(read), refused \(refused), other \(other)")
        #expect(read + refused + other == 2000)
    }

    @Test func aLinkLoopAFifoAndAMissingFileFailWithoutHanging() throws {
        let (dir, _) = try plant()
        try FileManager.default.createSymbolicLink(atPath: dir + "/loop.yaml", withDestinationPath: "loop.yaml")
        #expect(throws: PlaybookTrust.ReadError.self) { try trust.read(dir + "/loop.yaml") }
        #expect(mkfifo(dir + "/fifo.yaml", 0o644) == 0)
        #expect(throws: PlaybookTrust.ReadError.notAFile) { try trust.read(dir + "/fifo.yaml") }
        #expect(throws: PlaybookTrust.ReadError.notAFile) { try trust.read(dir) }
        // Missing is reported before an untrusted directory: the more basic news.
        chmod(dir, 0o777)
        #expect(throws: PlaybookTrust.ReadError.notFound) { try trust.read(dir + "/none.yaml") }
    }

    @Test func notRootNothingIsJudged() throws {
        let (dir, file) = try plant()
        chmod(file, 0o666)
        chmod(dir, 0o1777)
        let user = PlaybookTrust(effectiveUID: 1000, invokingUID: 1000)
        #expect(!user.enforced)
        #expect(try user.read(file) == Data(Self.text.utf8))
        #expect(try PlaybookTrust.unchecked.read(file) == Data(Self.text.utf8))
    }

    @Test func theLoaderTurnsARefusalIntoAFileError() throws {
        let (_, file) = try plant(try String(contentsOfFile: ExampleHosts.playbookPath("table-full"), encoding: .utf8))
        #expect(try PlaybookLoader.load(path: file, trust: trust).name == "table-full")
        chmod(file, 0o666)
        do {
            _ = try PlaybookLoader.load(path: file, trust: trust)
            Issue.record("an untrusted playbook loaded")
        } catch {
            #expect(!error.isPlaybookNotFound)
            #expect(error.description.hasPrefix("\(file):1:1: error: untrusted playbook: \(file) is writable by group and others (mode 0666)"))
        }
    }
}
