/// Where each conntrack fact lives, per kernel era, in order of preference. The first key that
/// exists on the host wins (SPEC §2): modern `nf_conntrack` names first, then the 2.6
/// `ip_conntrack` ones.
public enum ConntrackKeys {
    public static let count = ["net.netfilter.nf_conntrack_count", "net.ipv4.netfilter.ip_conntrack_count"]
    /// `net.nf_conntrack_max` is the init-namespace-only alias; `net.ipv4.ip_conntrack_max` is
    /// the other path 2.6 kernels print (the CentOS 5 seed reads `/proc/sys/net/ipv4/ip_conntrack_max`).
    public static let max = ["net.netfilter.nf_conntrack_max", "net.nf_conntrack_max",
                             "net.ipv4.netfilter.ip_conntrack_max", "net.ipv4.ip_conntrack_max"]
    public static let buckets = ["net.netfilter.nf_conntrack_buckets", "net.ipv4.netfilter.ip_conntrack_buckets"]
    public static let establishedTimeout = ["net.netfilter.nf_conntrack_tcp_timeout_established",
                                            "net.ipv4.netfilter.ip_conntrack_tcp_timeout_established"]
    /// The legacy alias that only the initial network namespace has (modern kernels).
    public static let initialNamespaceOnlyMax = "net.nf_conntrack_max"
    /// `hashsize` module parameter, per era.
    public static let hashsizePaths = ["/sys/module/nf_conntrack/parameters/hashsize",
                                       "/sys/module/ip_conntrack/parameters/hashsize"]
    /// The slab caches holding one object per entry.
    public static let slabCaches = ["nf_conntrack", "ip_conntrack"]

    /// Other timeouts shown by `status`, by the suffix after `nf_conntrack_` / `ip_conntrack_`.
    public static let otherTimeouts = [
        "tcp_timeout_syn_sent", "tcp_timeout_syn_recv", "tcp_timeout_fin_wait", "tcp_timeout_close_wait",
        "tcp_timeout_last_ack", "tcp_timeout_time_wait", "tcp_timeout_close", "tcp_timeout_max_retrans",
        "tcp_timeout_unacknowledged", "udp_timeout", "udp_timeout_stream", "icmp_timeout", "generic_timeout",
    ]

    /// Both eras' keys of one timeout suffix.
    public static func timeoutKeys(_ suffix: String) -> [String] {
        ["net.netfilter.nf_conntrack_\(suffix)", "net.ipv4.netfilter.ip_conntrack_\(suffix)"]
    }

    /// The module's directory in sysfs for an era.
    public static func moduleDirectory(_ era: ConntrackEra) -> String { "/sys/module/\(era.rawValue)" }

    /// Bytes per hash bucket: one `hlist_nulls_head`, a pointer on 64-bit kernels.
    public static let bytesPerBucket = 8.0
    /// Object size assumed when `/proc/slabinfo` cannot tell (between the 256–384 bytes seen).
    public static let assumedEntrySize = 320.0
}

/// Which connection-tracking implementation the kernel has.
public enum ConntrackEra: String, Sendable, Codable, Equatable {
    /// `nf_conntrack` (2.6.15 on): `net.netfilter.nf_conntrack_*`.
    case nfConntrack = "nf_conntrack"
    /// `ip_conntrack` (2.4 to 2.6.2x): `net.ipv4.netfilter.ip_conntrack_*`.
    case ipConntrack = "ip_conntrack"
}

/// Whether conntrack can be unloaded at all.
public enum ConntrackModuleState: String, Sendable, Codable, Equatable {
    /// A loaded module (`/sys/module/nf_conntrack/refcnt` exists): `modprobe -r` is possible.
    case loadable
    /// Compiled into the kernel: cannot be unloaded, only kept idle.
    case builtIn = "built_in"
    /// Neither loaded nor built in.
    case notLoaded = "not_loaded"
}
