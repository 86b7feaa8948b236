import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Temporary files of an atomic replace (`.NAME.ctfix-PID-RAND`, beside the file being
/// replaced) that a killed ctfix left behind. The next run removes them from the directories
/// ctfix writes, once it holds the host lock, and audits what it removed.
///
/// Only regular files whose name carries the pid of a process that no longer runs (and is not
/// this one) are removed. Symlinks are never followed: entries are examined with `fstatat(…,
/// AT_SYMLINK_NOFOLLOW)` and removed with `unlinkat` relative to a directory descriptor opened
/// with `O_NOFOLLOW`, and recursion (backups) only enters real directories.
public enum LeftoverTempFiles {
    /// Where ctfix replaces files: config directories, its state, its log, `/run`.
    public static let hostDirectories = ["/etc", "/etc/sysctl.d", "/etc/modules-load.d", "/etc/modprobe.d",
                                         "/var/lib/ctfix", "/var/lib/ctfix/queue", "/var/log/ctfix", "/run", "/var/run"]
    /// Searched with their subdirectories (backups mirror host paths).
    public static let hostTrees = ["/var/lib/ctfix/backups"]

    /// The pid in a temporary file's name, nil when the name is not one of ctfix's.
    public static func ownerPID(ofTemporaryName name: String) -> Int32? {
        guard name.hasPrefix("."), let marker = name.range(of: ".ctfix-", options: .backwards),
              marker.lowerBound > name.index(after: name.startIndex) else { return nil }
        let parts = name[marker.upperBound...].split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let pid = Int32(parts[0]) else { return nil }
        return pid
    }

    /// Removes the leftovers; returns the host paths removed. File systems not backed by a
    /// directory (in memory) have none.
    public static func sweep(_ fileSystem: any FileSystem, directories: [String] = hostDirectories, trees: [String] = hostTrees,
                             isAlive: (Int32) -> Bool = ProcessLiveness.isAlive) -> [String] {
        var removed: [String] = []
        var seen = Set<String>()
        for (directory, depth) in directories.map({ ($0, 0) }) + trees.map({ ($0, 8) }) {
            guard let real = fileSystem.realPath(of: directory), seen.insert(real).inserted else { continue }
            let fd = open(real, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard fd >= 0 else { continue }
            sweep(fd, hostPath: directory, depth: depth, isAlive: isAlive, removed: &removed)
            close(fd)
        }
        return removed
    }

    private static func sweep(_ directory: Int32, hostPath: String, depth: Int, isAlive: (Int32) -> Bool, removed: inout [String]) {
        for (name, type) in entries(in: directory) {
            let pid = ownerPID(ofTemporaryName: name)
            // Only a candidate name, or a possible directory inside a tree, is worth a stat.
            let maybeDirectory = depth > 0 && (type == UInt8(DT_DIR) || type == UInt8(DT_UNKNOWN))
            guard pid != nil || maybeDirectory else { continue }
            var st = stat()
            guard fstatat(directory, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
            let kind = st.st_mode & S_IFMT
            let path = (hostPath == "/" ? "" : hostPath) + "/" + name
            if kind == S_IFDIR, depth > 0 {
                let child = openat(directory, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                guard child >= 0 else { continue }
                sweep(child, hostPath: path, depth: depth - 1, isAlive: isAlive, removed: &removed)
                close(child)
                continue
            }
            guard kind == S_IFREG, let pid, pid != getpid(), !isAlive(pid) else { continue }
            if unlinkat(directory, name, 0) == 0 { removed.append(path) }
        }
    }

    /// Entry names and types of an open directory (a duplicate descriptor is consumed by
    /// `fdopendir`).
    private static func entries(in directory: Int32) -> [(String, UInt8)] {
        let copy = dup(directory)
        guard copy >= 0, let stream = fdopendir(copy) else { return [] }
        defer { closedir(stream) }
        rewinddir(stream)
        var entries: [(String, UInt8)] = []
        while let entry = readdir(stream) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name != ".", name != ".." { entries.append((name, entry.pointee.d_type)) }
        }
        return entries
    }
}
