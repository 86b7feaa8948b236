/// What `ctfix snapshot` captures: what the shipped playbooks, `ConntrackSnapshot` and the
/// executor's planning read (docs/snapshot.md lists the same with the reason for each).
public enum SnapshotPaths {
    public enum Entry: Sendable, Equatable {
        /// One file, its content copied.
        case file(String)
        /// A directory and everything under it (procfs sysctl trees, `/etc/sysctl.d`).
        case tree(String)
        /// A directory whose entry names matter, not their content (`/sys/module/X/holders`
        /// holds symlinks to other modules): captured as empty directories.
        case names(String)
        /// A write-only trigger (`/proc/sys/vm/drop_caches`): its existence matters for
        /// planning, it cannot be read; captured as an empty file.
        case writeOnly(String)
        /// Only whether it exists matters (`/run/docker.sock`, `/var/lib/kubelet`): captured
        /// as an empty file or directory.
        case marker(String)

        public var path: String {
            switch self {
            case .file(let path), .tree(let path), .names(let path), .writeOnly(let path), .marker(let path): path
            }
        }
    }

    /// Conntrack modules of both eras, and the modules whose presence the unload plan warns about.
    static let conntrackModules = ["nf_conntrack", "ip_conntrack"]
    static let dependentModules = ["nf_nat", "iptable_nat", "nft_chain_nat", "xt_conntrack", "xt_state", "nft_ct"]

    /// Every entry, in capture order.
    public static let entries: [Entry] = {
        var entries: [Entry] = [
            // Sysctls of both eras (table-full, unload-conntrack, ratio predicates).
            .tree("/proc/sys/net/netfilter"), .file("/proc/sys/net/nf_conntrack_max"),
            .tree("/proc/sys/net/ipv4/netfilter"), .file("/proc/sys/net/ipv4/ip_conntrack_max"),
            // Memory (alloc-failure, the memory budget guard).
            .file("/proc/sys/vm/min_free_kbytes"), .writeOnly("/proc/sys/vm/drop_caches"),
            .writeOnly("/proc/sys/vm/compact_memory"),
            .file("/proc/meminfo"), .file("/proc/slabinfo"),
            // Time and identity: boot time (btime) for kmsg times, uptime, kernel version.
            .file("/proc/stat"), .file("/proc/uptime"), .file("/proc/version"),
            .file("/proc/sys/kernel/hostname"), .file("/proc/sys/kernel/random/boot_id"),
            .file("/proc/net/ip_tables_names"),
        ]
        for module in conntrackModules {
            entries += [.tree("/sys/module/\(module)/parameters"), .file("/sys/module/\(module)/refcnt"),
                        .file("/sys/module/\(module)/initstate"),
                        .names("/sys/module/\(module)/holders")]
        }
        for module in dependentModules { entries += [.file("/sys/module/\(module)/refcnt"), .marker("/sys/module/\(module)")] }
        entries += [
            // Persistence and boot-time module loading.
            .file("/etc/sysctl.conf"), .tree("/etc/sysctl.d"), .tree("/etc/modules-load.d"),
            // Boot precedence (docs/playbook-format.md "Boot persistence"): every sysctl.d and
            // modprobe.d directory, the kernel command line and release (modules.builtin is
            // added by `SnapshotCapture.captureBootFacts`), and the other owners of the values.
            .tree("/run/sysctl.d"), .tree("/usr/local/lib/sysctl.d"), .tree("/usr/lib/sysctl.d"), .tree("/lib/sysctl.d"),
            .tree("/etc/modprobe.d"), .tree("/run/modprobe.d"), .tree("/usr/local/lib/modprobe.d"),
            .tree("/usr/lib/modprobe.d"), .tree("/lib/modprobe.d"),
            .file("/proc/cmdline"), .file("/proc/sys/kernel/osrelease"),
            .file("/var/lib/kube-proxy/config.conf"), .file("/etc/tuned/active_profile"),
            .file("/etc/sysconfig/iptables-config"),
            .file("/etc/hostname"), .file("/etc/timezone"), .file("/etc/os-release"), .file("/etc/redhat-release"),
            // What the unload and reboot plans look for.
            .marker("/run/docker.sock"), .marker("/var/run/docker.sock"), .marker("/var/lib/kubelet"),
            .marker("/var/run/reboot-required"),
        ]
        return entries
    }()

    /// Where symlinks may point for their target to be captured: inside what is captured.
    static let capturedTops = ["/proc/", "/sys/", "/etc/"]

    /// Largest `modules.builtin` copied (a few hundred KiB on distribution kernels).
    static let modulesBuiltinLimit: Int64 = 1 << 20
}
