import Foundation

extension SnapshotCapture {
    /// What boot precedence needs beyond fixed paths, so a plan reviewed from the snapshot is
    /// the plan on the host: the running kernel's `modules.builtin` (when small enough), and
    /// each kube-proxy process's `comm` (the fact that it runs; its pid is kept).
    mutating func captureBootFacts() {
        let fs = ctx.fileSystem
        if let release = try? fs.readText("/proc/sys/kernel/osrelease").trimmed(.whitespacesAndNewlines),
           !release.isEmpty, !release.contains("/"), release != "..", release != "." {
            let path = "/lib/modules/\(release)/modules.builtin"
            if let info = try? fs.info(path), info.kind == .file {
                if info.size <= SnapshotPaths.modulesBuiltinLimit { capture(.file(path)) }
                else { skipped.append("\(path): larger than \(SnapshotPaths.modulesBuiltinLimit) bytes") }
            }
        }
        for name in (try? fs.listDirectory("/proc")) ?? [] where name.allSatisfy(\.isNumber) {
            guard let comm = try? fs.readText("/proc/\(name)/comm"),
                  comm.trimmed(.whitespacesAndNewlines) == "kube-proxy" else { continue }
            capture(.file("/proc/\(name)/comm"))
            notes.append("/proc/\(name)/comm: kube-proxy runs on this host (it overwrites conntrack settings when it starts)")
            break
        }
    }

    /// A symlink in a sysctl.d directory that resolves inside what is captured is kept as a
    /// relative link (Debian's `99-sysctl.conf` → `../sysctl.conf`): copied as a file, the
    /// review would count `/etc/sysctl.conf` twice. True when it was written.
    mutating func keepsLink(_ path: String, in directory: String) -> Bool {
        guard SysctlBootConfig.directories.contains(directory), let rooted = ctx.fileSystem as? RootedFileSystem,
              let link = rooted.symlinkResolution(of: path), let resolved = link.resolvedHostPath,
              resolved == SysctlBootConfig.mainFile
                || SysctlBootConfig.directories.contains((resolved as NSString).deletingLastPathComponent),
              (try? rooted.info(resolved))??.kind == .file else { return false }
        let depth = directory.split(separator: "/").count
        let relative = String(repeating: "../", count: depth) + resolved.dropFirst()
        do {
            try writer.writeLink(relative, at: path)
            notes.append("\(path): a symlink to \(resolved), kept as a link")
            return true
        } catch {
            skipped.append("\(path): \(error)")
            return true
        }
    }
}
