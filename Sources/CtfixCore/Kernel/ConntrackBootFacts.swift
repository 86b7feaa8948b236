import Foundation

/// What decides the conntrack settings at boot besides sysctl files: whether the module is
/// built in (no `modules-load.d` entry, hash size on the kernel command line), `modprobe.d`
/// `hashsize` options, and the other owners that rewrite the runtime values (kube-proxy, tuned).
public enum ConntrackBootFacts {
    /// Where modprobe reads `options` lines, earliest first (a later `hashsize=` wins).
    public static let modprobeDirectories = ["/etc/modprobe.d", "/run/modprobe.d", "/usr/local/lib/modprobe.d",
                                             "/usr/lib/modprobe.d", "/lib/modprobe.d"]
    /// The file ctfix writes its own `options nf_conntrack hashsize=` line to.
    public static let modprobeFile = "/etc/modprobe.d/90-ctfix-conntrack.conf"

    /// True when the module is compiled into the running kernel: listed in
    /// `/lib/modules/RELEASE/modules.builtin`, or present in `/sys/module` without the
    /// `initstate`/`refcnt` a loaded module has. False for a module, nil when nothing says.
    public static func isBuiltIn(_ module: String, _ fs: any FileSystem) -> Bool? {
        let directory = "/sys/module/\(module)"
        if fs.exists(directory + "/initstate") || fs.exists(directory + "/refcnt") { return false }
        if let release = try? fs.readText("/proc/sys/kernel/osrelease").trimmed(.whitespacesAndNewlines),
           !release.isEmpty, !release.contains("/"),
           let list = try? fs.readText("/lib/modules/\(release)/modules.builtin") {
            if list.split(separator: "\n").contains(where: { ($0 as Substring).hasSuffix("/\(module).ko") }) { return true }
        }
        return fs.exists(directory) ? true : nil
    }

    /// One `options MODULE ... hashsize=N` found in a modprobe.d file.
    public struct ModprobeOption: Sendable, Equatable {
        public var file: String
        public var line: Int
        public var value: String
    }

    /// Every `hashsize=` option for the module, in the order modprobe reads them (the last wins).
    public static func hashsizeOptions(_ module: String, _ fs: any FileSystem,
                                       content: ((String) -> String?)? = nil) -> [ModprobeOption] {
        let text = content ?? { try? fs.readText($0) }
        var chosen: [String: String] = [:]
        for directory in modprobeDirectories {
            var names = (try? fs.listDirectory(directory)) ?? []
            if directory == "/etc/modprobe.d", !names.contains("90-ctfix-conntrack.conf"), text(modprobeFile) != nil {
                names.append("90-ctfix-conntrack.conf")
            }
            for name in names where name.hasSuffix(".conf") && chosen[name] == nil { chosen[name] = directory + "/" + name }
        }
        var found: [ModprobeOption] = []
        for name in chosen.keys.sorted() {
            let file = chosen[name]!
            guard let body = text(file) else { continue }
            for (index, raw) in body.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let words = raw.split(whereSeparator: { $0 == " " || $0 == "\t" })
                guard words.count >= 3, words[0] == "options", words[1] == module else { continue }
                for word in words.dropFirst(2) where word.hasPrefix("hashsize=") {
                    found.append(ModprobeOption(file: file, line: index + 1, value: String(word.dropFirst(9))))
                }
            }
        }
        return found
    }

    /// `nf_conntrack.hashsize=N` on the running kernel's command line, if any.
    public static func commandLineHashsize(_ module: String, _ fs: any FileSystem) -> String? {
        guard let line = try? fs.readText("/proc/cmdline") else { return nil }
        let prefix = "\(module).hashsize="
        return line.split(whereSeparator: \.isWhitespace).last(where: { $0.hasPrefix(prefix) }).map { String($0.dropFirst(prefix.count)) }
    }

    /// Warnings about owners that will overwrite a conntrack key's runtime value: kube-proxy
    /// (a running process, or its config's `conntrack:` section) and a tuned profile whose
    /// `[sysctl]` sets the key.
    public static func otherOwners(of key: String, _ fs: any FileSystem) -> [String] {
        var warnings: [String] = []
        let kubeKeys = ["nf_conntrack_max", "nf_conntrack_tcp_timeout_established", "nf_conntrack_tcp_timeout_close_wait"]
        let short = key.split(separator: ".").last.map(String.init) ?? key
        if kubeKeys.contains(short), let proxy = kubeProxy(fs) {
            warnings.append("kube-proxy (\(proxy)) sets \(short) from its conntrack settings (maxPerCore, min, tcpEstablishedTimeout) when it starts: change them in its configuration too, or it will overwrite this value")
        }
        if let profile = tunedProfile(fs), let place = tunedSetting(of: key, profile: profile, fs) {
            warnings.append("tuned profile '\(profile)' sets \(key) (\(place)) and reapplies it when tuned starts: change the profile too")
        }
        return warnings
    }

    /// How kube-proxy shows itself on this host, or nil: a process named kube-proxy in
    /// `/proc/*/comm`, or `/var/lib/kube-proxy/config.conf` with a `conntrack:` section.
    public static func kubeProxy(_ fs: any FileSystem) -> String? {
        for name in (try? fs.listDirectory("/proc")) ?? [] where name.allSatisfy(\.isNumber) {
            if let comm = try? fs.readText("/proc/\(name)/comm"), comm.trimmed(.whitespacesAndNewlines) == "kube-proxy" {
                return "running as pid \(name)"
            }
        }
        let config = "/var/lib/kube-proxy/config.conf"
        if let text = try? fs.readText(config),
           text.split(separator: "\n").contains(where: { $0.trimmed(.whitespaces).hasPrefix("conntrack:") }) {
            return "configured in \(config)"
        }
        return nil
    }

    static func tunedProfile(_ fs: any FileSystem) -> String? {
        guard let text = try? fs.readText("/etc/tuned/active_profile") else { return nil }
        let name = text.trimmed(.whitespacesAndNewlines)
        return name.isEmpty || name.contains("/") || name.contains("..") ? nil : name.split(separator: " ").first.map(String.init)
    }

    /// "FILE:LINE" of the key in the profile's `[sysctl]` section (`/etc/tuned` then `/usr/lib/tuned`).
    static func tunedSetting(of key: String, profile: String, _ fs: any FileSystem) -> String? {
        let wanted = SysctlBootConfig.keyComponents(key)
        for base in ["/etc/tuned", "/usr/lib/tuned", "/usr/lib/tuned/profiles"] {
            let file = "\(base)/\(profile)/tuned.conf"
            guard let text = try? fs.readText(file) else { continue }
            var inSysctl = false
            for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let line = raw.trimmed(.whitespaces)
                if line.hasPrefix("[") { inSysctl = line == "[sysctl]"; continue }
                guard inSysctl, !line.hasPrefix("#"), let equals = line.firstIndex(of: "=") else { continue }
                if SysctlBootConfig.keyComponents(line[..<equals].trimmed(.whitespaces)) == wanted {
                    return "\(file):\(index + 1)"
                }
            }
            return nil
        }
        return nil
    }
}
