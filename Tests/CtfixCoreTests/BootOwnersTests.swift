import Foundation
import Testing
@testable import CtfixCore

/// Built-in versus module (modules-load.d and the hash size), the other owners of the runtime
/// values (kube-proxy, tuned, a disagreeing modprobe.d option), and `status`'s boot column.
@Suite struct BootOwnersTests {
    func plan(_ fs: InMemoryFileSystem) async throws -> RunReport {
        let playbook = try ExampleHosts.playbook("table-full")
        var options = RunOptions()
        options.dryRun = true
        options.skipVerifyDelay = true
        return await Executor(ctx: try ExampleHosts.context(fs), playbook: playbook,
                              parameters: try playbook.resolveParameters([:]), options: options).run()
    }

    func written(_ report: RunReport) -> [String: String] {
        var files: [String: String] = [:]
        for action in report.actions { for step in action.steps {
            if case .writeFile(let path, _, let after, _, _) = step.step { files[path] = after }
        } }
        return files
    }

    /// ubuntu-table-full with a small hash so the raise includes it.
    func smallHashHost(builtIn: Bool) throws -> InMemoryFileSystem {
        let fs = try ExampleHosts.inMemory("ubuntu-table-full")
        fs.set("/sys/module/nf_conntrack/parameters/hashsize", "65536\n")
        fs.set("/etc/modprobe.d/blacklist.conf", "blacklist pcspkr\n")
        if builtIn { try fs.removeFile("/sys/module/nf_conntrack/refcnt") }
        return fs
    }

    @Test func aModuleGetsModulesLoadAndAModprobeOption() async throws {
        let report = try await plan(try smallHashHost(builtIn: false))
        let files = written(report)
        #expect(files["/etc/modprobe.d/90-ctfix-conntrack.conf"]?.hasSuffix("options nf_conntrack hashsize=131072\n") == true)
        #expect(files.keys.contains { $0.hasPrefix("/etc/modules-load.d/") })
        #expect(report.actions[0].notes.contains("after the next boot: nf_conntrack hashsize = 131072 (from /etc/modprobe.d/90-ctfix-conntrack.conf)"))
    }

    @Test func aBuiltInModuleGetsNeitherButAKernelCommandLineStep() async throws {
        let fs = try smallHashHost(builtIn: true)
        fs.set("/proc/cmdline", "BOOT_IMAGE=/vmlinuz root=/dev/sda1 nf_conntrack.hashsize=65536\n")
        let report = try await plan(fs)
        let files = written(report)
        #expect(!files.keys.contains { $0.hasPrefix("/etc/modules-load.d/") || $0.hasPrefix("/etc/modprobe.d/") })
        let notes = report.actions[0].notes
        #expect(notes.contains { $0.contains("Manual step: add 'nf_conntrack.hashsize=131072' to the kernel command line") && $0.contains("booted with nf_conntrack.hashsize=65536") })
        #expect(notes.contains { $0.contains("built into this kernel: no modules-load.d entry") })
    }

    @Test func modulesBuiltinUnderTheRootDecidesWhenSysfsDoesNot() throws {
        let fs = InMemoryFileSystem(["/proc/sys/kernel/osrelease": "6.1.0-13-amd64\n",
                                     "/lib/modules/6.1.0-13-amd64/modules.builtin": "kernel/net/netfilter/nf_conntrack.ko\nkernel/net/ipv4/tcp_bic.ko\n"])
        #expect(ConntrackBootFacts.isBuiltIn("nf_conntrack", fs) == true)
        #expect(ConntrackBootFacts.isBuiltIn("nf_nat", fs) == nil)
        // A hostile release string cannot send the read elsewhere.
        fs.set("/proc/sys/kernel/osrelease", "../../etc\n")
        #expect(ConntrackBootFacts.isBuiltIn("nf_conntrack", fs) == nil)
    }

    /// This machine's 6.18 kernel has conntrack built in: read-only look at the real /sys.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/sys/module/nf_conntrack/parameters")
                   && !FileManager.default.fileExists(atPath: "/sys/module/nf_conntrack/refcnt")))
    func theRealKernelsBuiltInConntrackIsSeen() throws {
        #expect(ConntrackBootFacts.isBuiltIn("nf_conntrack", try RootedFileSystem(root: "/")) == true)
    }

    @Test func aDisagreeingModprobeOptionReadLaterIsAWarning() async throws {
        let fs = try smallHashHost(builtIn: false)
        fs.set("/etc/modprobe.d/zz-old.conf", "options nf_conntrack hashsize=4096 expect_hashsize=64\n")
        let notes = try await plan(fs).actions[0].notes
        #expect(notes.contains("warning: /etc/modprobe.d/zz-old.conf:1 sets nf_conntrack hashsize=4096 and is read after /etc/modprobe.d/90-ctfix-conntrack.conf: the module will load with 4096 at boot; change or remove that option"))
    }

    @Test func kubeProxyRunningOrConfiguredIsNamed() async throws {
        var fs = try ExampleHosts.inMemory("ubuntu-table-full")
        fs.set("/proc/4242/comm", "kube-proxy\n")
        var notes = try await plan(fs).actions.flatMap(\.notes)
        #expect(notes.contains { $0.hasPrefix("kube-proxy (running as pid 4242) sets nf_conntrack_max") })
        #expect(notes.contains { $0.hasPrefix("kube-proxy (running as pid 4242) sets nf_conntrack_tcp_timeout_established") })

        fs = try ExampleHosts.inMemory("ubuntu-table-full")
        fs.set("/var/lib/kube-proxy/config.conf", "kind: KubeProxyConfiguration\nconntrack:\n  maxPerCore: 32768\n  min: 131072\n")
        notes = try await plan(fs).actions.flatMap(\.notes)
        #expect(notes.contains { $0.hasPrefix("kube-proxy (configured in /var/lib/kube-proxy/config.conf)") })

        fs = try ExampleHosts.inMemory("ubuntu-table-full")
        fs.set("/proc/4242/comm", "kube-proxy-not\n")
        notes = try await plan(fs).actions.flatMap(\.notes)
        #expect(!notes.contains { $0.contains("kube-proxy") })
    }

    @Test func aTunedProfileThatSetsTheKeyIsNamed() async throws {
        let fs = try ExampleHosts.inMemory("ubuntu-table-full")
        fs.set("/etc/tuned/active_profile", "lb-tuning\n")
        fs.set("/etc/tuned/lb-tuning/tuned.conf", "[main]\nsummary=lb\n[sysctl]\nnet.netfilter.nf_conntrack_max=262144\n[vm]\n")
        let notes = try await plan(fs).actions.flatMap(\.notes)
        #expect(notes.contains("tuned profile 'lb-tuning' sets net.netfilter.nf_conntrack_max (/etc/tuned/lb-tuning/tuned.conf:4) and reapplies it when tuned starts: change the profile too"))
        #expect(!notes.contains { $0.contains("tuned profile") && $0.contains("timeout") })
    }

    @Test func statusShowsTheBootValueBesideTheRuntimeOne() async throws {
        let fs = try ExampleHosts.inMemory("ubuntu-table-full")
        fs.set("/etc/sysctl.d/50-a.conf", "net.netfilter.nf_conntrack_max = 131072\nnet.netfilter.nf_conntrack_udp_timeout = 60\n")
        fs.set("/etc/sysctl.conf", "net.netfilter.nf_conntrack_max = 100\n")
        fs.set("/etc/modprobe.d/cc.conf", "options nf_conntrack hashsize=262144\n")
        let output = CapturedOutput()
        let ctx = try ExampleHosts.context(fs, output: output)
        _ = await StatusCommand(recentEvents: { _ in [] }).run(ctx)
        let text = output.standardOutput
        #expect(text.contains("  net.netfilter.nf_conntrack_max: runtime 262144, after boot 100 from /etc/sysctl.conf:1  (differs: a reboot changes it)\n    overrides /etc/sysctl.d/50-a.conf:1 (131072)\n"))
        #expect(text.contains("  net.netfilter.nf_conntrack_tcp_timeout_established: runtime 432000, after boot kernel default (no file sets it)\n"))
        #expect(text.contains("  net.netfilter.nf_conntrack_udp_timeout: runtime "))
        #expect(text.contains("  nf_conntrack hashsize: runtime 262144, after boot 262144 from /etc/modprobe.d/cc.conf:1\n"))

        let json = CapturedOutput()
        var jsonCtx = ctx
        jsonCtx.output = json
        _ = await StatusCommand(json: true, recentEvents: { _ in [] }).run(jsonCtx)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        let boot = try #require(object["boot"] as? [[String: Any]])
        let max = try #require(boot.first { $0["key"] as? String == "net.netfilter.nf_conntrack_max" })
        #expect(max["boot"] as? String == "100")
        #expect(max["source"] as? String == "/etc/sysctl.conf:1")
        #expect(max["runtime"] as? String == "262144")
        #expect(boot.first { $0["key"] as? String == "net.netfilter.nf_conntrack_tcp_timeout_established" }?["boot"] is NSNull)
    }
}
