import Foundation
import Testing
@testable import CtfixCore

/// A snapshot carries what boot precedence reads, so the plan reviewed from it is the host's:
/// every sysctl.d directory (Debian's link kept as a link), modprobe.d, the kernel command line
/// and release, modules.builtin, kube-proxy's config and the fact that it runs.
@Suite("Snapshot: boot precedence facts")
struct SnapshotBootFactsTests {
    @Test func theCaptureCarriesTheBootFactsAndPlansTheSame() async throws {
        let root = try ExampleHosts.copy("ubuntu-table-full")
        let directory = SnapshotCaptureTests.scratch()
        defer {
            try? FileManager.default.removeItem(atPath: root)
            try? FileManager.default.removeItem(atPath: directory)
        }
        let files = [
            "/etc/sysctl.conf": "net.netfilter.nf_conntrack_max = 100\n",
            "/usr/lib/sysctl.d/50-vendor.conf": "net.netfilter.nf_conntrack_tcp_timeout_established = 7200\n",
            "/run/sysctl.d/60-runtime.conf": "net.core.somaxconn = 1\n",
            "/etc/modprobe.d/cc.conf": "options nf_conntrack hashsize=4096\n",
            "/proc/cmdline": "root=/dev/sda1 quiet\n",
            "/proc/sys/kernel/osrelease": "5.15.0-100-generic\n",
            "/lib/modules/5.15.0-100-generic/modules.builtin": "kernel/net/ipv4/tcp_cubic.ko\n",
            "/var/lib/kube-proxy/config.conf": "conntrack:\n  maxPerCore: 32768\n",
            "/proc/777/comm": "kube-proxy\n",
            "/proc/778/comm": "bash\n",
        ]
        for (path, text) in files {
            try FileManager.default.createDirectory(atPath: root + (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: root + path, atomically: true, encoding: .utf8)
        }
        try FileManager.default.createSymbolicLink(atPath: root + "/etc/sysctl.d/99-sysctl.conf", withDestinationPath: "../sysctl.conf")
        var ctx = try CtfixContext.live(root: root)
        ctx.output = CapturedOutput()
        #expect(await SnapshotCommand(directory: directory).run(ctx) == .ok)

        for (path, text) in files where path != "/proc/778/comm" {
            #expect((try? String(contentsOfFile: directory + path, encoding: .utf8)) == text, "\(path)")
        }
        #expect(!FileManager.default.fileExists(atPath: directory + "/proc/778/comm"))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: directory + "/etc/sysctl.d/99-sysctl.conf") == "../../etc/sysctl.conf")
        let captured = try RootedFileSystem(root: directory)
        #expect(SysctlBootConfig.read(captured) == SysctlBootConfig.read(try RootedFileSystem(root: root)))
        #expect(ConntrackBootValues.read(captured) == ConntrackBootValues.read(try RootedFileSystem(root: root)))
        let original = try await SnapshotCaptureTests.plannedActions(playbook: ExampleHosts.playbookPath("table-full"), root: root)
        let review = try await SnapshotCaptureTests.plannedActions(playbook: ExampleHosts.playbookPath("table-full"), root: directory)
        #expect(original == review)
        #expect(review.contains("kube-proxy (running as pid 777)"))
        #expect(review.contains("\\/etc\\/sysctl.conf:1") || review.contains("/etc/sysctl.conf:1"))
    }
}
