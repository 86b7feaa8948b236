import Foundation
import Testing
@testable import CtfixCore

/// The boot-precedence reader against every way a later file can beat an earlier one: the
/// answer must be the file `sysctl --system` applies last, wherever the key hides.
@Suite struct SysctlBootPrecedenceTests {
    static let key = "net.netfilter.nf_conntrack_max"

    func config(_ files: [String: String]) -> SysctlBootConfig {
        SysctlBootConfig.read(InMemoryFileSystem(files))
    }

    @Test func aNinetyNineFileOverridesCtfixsNinetyFile() {
        let boot = config(["/etc/sysctl.d/90-ctfix-conntrack.conf": "net.netfilter.nf_conntrack_max = 524288\n",
                           "/etc/sysctl.d/99-lb.conf": "# by hand\nnet.ipv4.ip_forward = 1\nnet.netfilter.nf_conntrack_max = 262144\n"])
        #expect(boot.bootSetting(of: Self.key)?.place == "/etc/sysctl.d/99-lb.conf:3")
        #expect(boot.bootSetting(of: Self.key)?.value == "262144")
        #expect(boot.settings(of: Self.key).map(\.file) == ["/etc/sysctl.d/90-ctfix-conntrack.conf", "/etc/sysctl.d/99-lb.conf"])
    }

    @Test func etcSysctlConfIsAppliedAfterEveryDirectory() {
        let boot = config(["/etc/sysctl.conf": "net.netfilter.nf_conntrack_max = 100\n",
                           "/etc/sysctl.d/zz-last.conf": "net.netfilter.nf_conntrack_max = 5\n",
                           "/usr/lib/sysctl.d/zzz.conf": "net.netfilter.nf_conntrack_max = 6\n"])
        #expect(boot.files.last == "/etc/sysctl.conf")
        #expect(boot.bootSetting(of: Self.key)?.place == "/etc/sysctl.conf:1")
    }

    @Test func aRunFileSortedLaterWinsAndASameNamedEtcFileMasksIt() {
        var boot = config(["/etc/sysctl.d/90-ctfix-conntrack.conf": "net.netfilter.nf_conntrack_max = 524288\n",
                           "/run/sysctl.d/95-runtime.conf": "net.netfilter.nf_conntrack_max = 1000\n"])
        #expect(boot.bootSetting(of: Self.key)?.file == "/run/sysctl.d/95-runtime.conf")
        // The same name in /run is masked by /etc: never read.
        boot = config(["/etc/sysctl.d/90-ctfix-conntrack.conf": "net.netfilter.nf_conntrack_max = 524288\n",
                       "/run/sysctl.d/90-ctfix-conntrack.conf": "net.netfilter.nf_conntrack_max = 1000\n"])
        #expect(boot.bootSetting(of: Self.key)?.value == "524288")
        #expect(boot.settings(of: Self.key).count == 1)
        #expect(boot.notes.contains { $0.contains("/run/sysctl.d/90-ctfix-conntrack.conf is masked by /etc/sysctl.d/90-ctfix-conntrack.conf") })
    }

    @Test func etcMasksUsrLibEvenWhenTheEtcFileDoesNotSetTheKey() {
        let boot = config(["/usr/lib/sysctl.d/99-vendor.conf": "net.netfilter.nf_conntrack_max = 1\n",
                           "/etc/sysctl.d/99-vendor.conf": "# emptied by the administrator\n",
                           "/lib/sysctl.d/99-vendor.conf": "net.netfilter.nf_conntrack_max = 2\n"])
        #expect(boot.bootSetting(of: Self.key) == nil)
        #expect(boot.files == ["/etc/sysctl.d/99-vendor.conf"])
    }

    @Test func slashDashCommentAndGlobSpellingsAreAllUnderstood() throws {
        let boot = config(["/etc/sysctl.d/10-a.conf": "net/netfilter/nf_conntrack_max = 10\n",
                           "/etc/sysctl.d/20-b.conf": "  -net.netfilter.nf_conntrack_max=20\n",
                           "/etc/sysctl.d/30-c.conf": "; net.netfilter.nf_conntrack_max = 30\n# net.netfilter.nf_conntrack_max = 31\n",
                           "/etc/sysctl.d/40-d.conf": "net.ipv4.conf.*.rp_filter = 2\nnet/ipv4/conf/eth0.100/rp_filter = 1\n",
                           "/etc/sysctl.d/50-e.txt": "net.netfilter.nf_conntrack_max = 50\n"])
        let settings = boot.settings(of: Self.key)
        #expect(settings.map(\.value) == ["10", "20"])
        #expect(settings[1].ignoresErrors)
        #expect(settings[1].keyText == "net.netfilter.nf_conntrack_max")
        // A pattern sets the keys it matches, not others; a slash key keeps an interface's dot.
        #expect(boot.settings(of: "net.ipv4.conf.eth0.rp_filter").map(\.value) == ["2"])
        #expect(boot.settings(of: "net/ipv4/conf/eth0.100/rp_filter").map(\.value) == ["2", "1"])
        #expect(boot.settings(of: "net.ipv4.conf.all.accept_redirects").isEmpty)
    }

    @Test func aGlobSetsTheConntrackKeyToo() {
        let boot = config(["/etc/sysctl.d/90-ctfix-conntrack.conf": "net.netfilter.nf_conntrack_max = 524288\n",
                           "/etc/sysctl.d/95-all.conf": "net.netfilter.nf_conntrack_* = 7\n"])
        #expect(boot.bootSetting(of: Self.key)?.isGlob == true)
    }

    /// Debian: /etc/sysctl.d/99-sysctl.conf → ../sysctl.conf, a real symlink under a real root.
    @Test func theDebianLinkIsCountedOnceAsEtcSysctlConfAppliedLast() throws {
        let root = try ExampleHosts.copy("debian-healthy")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/etc/sysctl.d", withIntermediateDirectories: true)
        try "net.netfilter.nf_conntrack_max = 100\n".write(toFile: root + "/etc/sysctl.conf", atomically: true, encoding: .utf8)
        try? FileManager.default.removeItem(atPath: root + "/etc/sysctl.d/99-sysctl.conf")
        try FileManager.default.createSymbolicLink(atPath: root + "/etc/sysctl.d/99-sysctl.conf", withDestinationPath: "../sysctl.conf")
        try "net.netfilter.nf_conntrack_max = 9\n".write(toFile: root + "/etc/sysctl.d/99-zz.conf", atomically: true, encoding: .utf8)
        let boot = SysctlBootConfig.read(try RootedFileSystem(root: root))
        #expect(!boot.files.contains("/etc/sysctl.d/99-sysctl.conf"))
        #expect(boot.files.last == "/etc/sysctl.conf")
        #expect(boot.settings(of: Self.key).map(\.place) == ["/etc/sysctl.d/99-zz.conf:1", "/etc/sysctl.conf:1"])
        #expect(boot.notes.contains { $0.contains("99-sysctl.conf links to /etc/sysctl.conf") })
    }

    /// This machine, read-only: whatever it holds, the reader finds Debian's link and the
    /// vendor files, and reads nothing outside the sysctl directories.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/etc/sysctl.conf")))
    func thisMachinesFilesAreReadInOrder() throws {
        let boot = SysctlBootConfig.read(try RootedFileSystem(root: "/"))
        #expect(boot.files.last == "/etc/sysctl.conf")
        #expect(boot.files.allSatisfy { $0 == "/etc/sysctl.conf" || SysctlBootConfig.directories.contains(($0 as NSString).deletingLastPathComponent) })
        #expect(boot.files == boot.files.sorted { a, b in
            a == "/etc/sysctl.conf" ? false : b == "/etc/sysctl.conf" ? true : (a as NSString).lastPathComponent < (b as NSString).lastPathComponent
        })
    }
}
