import Foundation

/// The sysctl files applied at boot, in the order they are applied, and every assignment in
/// them: what a key will be *after the next boot*, and which file:line decides it.
///
/// Order (procps `sysctl --system`, `man sysctl`; systemd-sysctl reads the same directories):
/// `*.conf` in `/etc/sysctl.d`, `/run/sysctl.d`, `/usr/local/lib/sysctl.d`, `/usr/lib/sysctl.d`,
/// `/lib/sysctl.d`; a name found in an earlier directory masks the same name in later ones;
/// the files are applied sorted by name across directories; `/etc/sysctl.conf` is applied last.
/// Debian's `/etc/sysctl.d/99-sysctl.conf` links to `/etc/sysctl.conf`: it is counted once, as
/// `/etc/sysctl.conf`, applied last (procps applies it again at the end, which is what wins).
/// Files are read through the context's `FileSystem`; symlinks resolve inside the root.
public struct SysctlBootConfig: Sendable, Equatable {
    /// One `key = value` line of a boot file.
    public struct Assignment: Sendable, Equatable {
        /// The file as applied (`/etc/sysctl.conf` for the Debian link).
        public var file: String
        public var line: Int
        /// The key as written, without its `-` prefix.
        public var keyText: String
        /// `/proc/sys` components of the key (a glob component keeps its `*`).
        public var components: [String]
        public var value: String
        /// `-key = value`: systemd ignores a failure to set it.
        public var ignoresErrors: Bool
        /// The key has `*`, `?` or `[`: it sets every key it matches (systemd only).
        public var isGlob: Bool

        /// "FILE:LINE".
        public var place: String { "\(file):\(line)" }
    }

    /// The directories searched, in precedence order (an earlier one masks a name).
    public static let directories = ["/etc/sysctl.d", "/run/sysctl.d", "/usr/local/lib/sysctl.d",
                                     "/usr/lib/sysctl.d", "/lib/sysctl.d"]
    /// Applied after every directory by procps `sysctl --system`.
    public static let mainFile = "/etc/sysctl.conf"

    /// Files in application order.
    public var files: [String]
    /// Every assignment, in application order.
    public var assignments: [Assignment]
    /// What the reader decided on the way (a masked file, the Debian link counted once).
    public var notes: [String]

    /// Reads the boot files of a host. `extraFiles` are files this run will create (listed as
    /// if they existed; normalised host paths); `content` gives a file's text as the run will leave it (nil: absent
    /// or unreadable), by default the file on disk.
    public static func read(_ fs: any FileSystem, extraFiles: [String] = [],
                            content: ((String) -> String?)? = nil) -> SysctlBootConfig {
        let text = content ?? { try? fs.readText($0) }
        var chosen: [String: String] = [:]
        var notes: [String] = []
        let pending = Set(extraFiles)
        for directory in directories {
            var names = (try? fs.listDirectory(directory)) ?? []
            // extraFiles are normalised host paths (a persist file): HostPath splits them as
            // NSString's path methods did, without bridging (LiteralTextTests).
            names += extraFiles.filter { HostPath.parent(of: $0) == directory }.map { HostPath.basename($0) }
            for name in Set(names) where name.hasSuffix(".conf") {
                let path = directory + "/" + name
                if let first = chosen[name] {
                    if first != path, fs.exists(path) { notes.append("\(path) is masked by \(first) (same name)") }
                    continue
                }
                guard pending.contains(path) || (try? fs.info(path))??.kind == .file else { continue }
                chosen[name] = path
            }
        }
        var files: [String] = []
        let mainExists = fs.exists(mainFile) || pending.contains(mainFile)
        for name in chosen.keys.sorted() {
            let path = chosen[name]!
            if mainExists, linksToMainFile(path, fs) {
                notes.append("\(path) links to \(mainFile): counted once, as \(mainFile), applied last")
                continue
            }
            files.append(path)
        }
        if mainExists { files.append(mainFile) }
        var assignments: [Assignment] = []
        for file in files {
            guard let body = text(file) else { continue }
            assignments += parse(body, file: file)
        }
        return SysctlBootConfig(files: files, assignments: assignments, notes: notes)
    }

    /// True when a sysctl.d entry is a symlink that resolves (inside the root) to /etc/sysctl.conf.
    static func linksToMainFile(_ path: String, _ fs: any FileSystem) -> Bool {
        guard fs.isSymbolicLink(path) else { return false }
        if let rooted = fs as? RootedFileSystem {
            return rooted.symlinkResolution(of: path)?.resolvedHostPath == mainFile
        }
        guard let a = try? fs.info(path), let b = try? fs.info(mainFile) else { return false }
        return a.inode != 0 && a.inode == b.inode
    }

    /// Parses one file: `key = value` lines; `#` and `;` start comments; a leading `-` marks a
    /// key whose failure is ignored; keys with `/` as first separator are the slash form.
    public static func parse(_ body: String, file: String) -> [Assignment] {
        var result: [Assignment] = []
        for (index, raw) in body.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = raw.trimmed(.whitespaces)
            guard !trimmed.isEmpty, !trimmed.hasPrefix("#"), !trimmed.hasPrefix(";"),
                  let equals = trimmed.firstIndex(of: "=") else { continue }
            var key = trimmed[..<equals].trimmed(.whitespaces)
            let value = trimmed[trimmed.index(after: equals)...].trimmed(.whitespaces)
            var ignores = false
            if key.hasPrefix("-") { ignores = true; key.removeFirst() }
            guard !key.isEmpty else { continue }
            let components = keyComponents(key)
            let glob = key.contains(where: { "*?[".contains($0) })
            result.append(Assignment(file: file, line: index + 1, keyText: key, components: components,
                                     value: value, ignoresErrors: ignores, isGlob: glob))
        }
        return result
    }

    /// `/proc/sys` components of a key as a file writes it: the first separator decides the
    /// form (`net/ipv4/conf/eth0.100/rp_filter` keeps its dot), as systemd-sysctl does.
    public static func keyComponents(_ key: String) -> [String] {
        let firstSlash = key.firstIndex(of: "/")
        let firstDot = key.firstIndex(of: ".")
        let slashForm = firstSlash != nil && (firstDot == nil || firstSlash! < firstDot!)
        return key.split(separator: slashForm ? "/" : ".").map(String.init)
    }

    /// Every assignment that sets `key` (dotted or slashed), globs included, in order.
    public func settings(of key: String) -> [Assignment] {
        let wanted = Self.keyComponents(key).joined(separator: "/")
        return assignments.filter { assignment in
            let written = assignment.components.joined(separator: "/")
            if !assignment.isGlob { return written == wanted }
            return fnmatch(written, wanted, FNM_PATHNAME) == 0
        }
    }

    /// The assignment that decides `key` after the next boot (the last applied), or nil.
    public func bootSetting(of key: String) -> Assignment? { settings(of: key).last }

    /// Whether a file is one ctfix may edit in place: under `/etc`, not a runtime or vendor
    /// directory (`/run` is regenerated at boot, `/usr/lib` belongs to packages).
    public static func isAdministratorFile(_ path: String) -> Bool {
        path == mainFile || path.hasPrefix("/etc/sysctl.d/")
    }
}
