import Foundation

/// Copies what playbooks read from a host (through its `FileSystem`: `/` on the live host)
/// into a directory that `--root` accepts. Unreadable files are skipped and listed in the
/// manifest; symlinks are followed only to targets inside what is captured (`/proc`, `/sys`,
/// `/etc`), never out of it.
struct SnapshotCapture {
    let ctx: CtfixContext
    let writer: SnapshotWriter
    var skipped: [String] = []
    var notes: [String] = []

    /// Deep trees are not what playbooks read; this bounds a surprising one.
    static let maximumDepth = 6

    init(ctx: CtfixContext, writer: SnapshotWriter) {
        self.ctx = ctx
        self.writer = writer
    }

    mutating func capture(_ entry: SnapshotPaths.Entry) {
        let fileSystem = ctx.fileSystem
        let path = entry.path
        let found: FileInfo?
        do { found = try fileSystem.info(path) } catch {
            skipped.append("\(path): \(error.reasonText)")
            return
        }
        guard let info = found else { return }
        if let problem = symlinkProblem(path) {
            skipped.append("\(path): \(problem)")
            return
        }
        switch entry {
        case .file:
            guard info.kind == .file else {
                skipped.append("\(path): not a regular file")
                return
            }
            copyFile(path)
        case .tree:
            guard info.kind == .directory else {
                skipped.append("\(path): not a directory")
                return
            }
            copyTree(path, depth: 0)
        case .names:
            guard info.kind == .directory else { return }
            do {
                try writer.makeDirectory(path)
                for name in try fileSystem.listDirectory(path) { try writer.makeDirectory(path + "/" + name) }
            } catch {
                skipped.append("\(path): \(error)")
            }
        case .writeOnly, .marker:
            do {
                if info.kind == .directory {
                    try writer.makeDirectory(path)
                } else {
                    try writer.writeFile(Data(), at: path)
                    notes.append("\(path): \(entry == .writeOnly(path) ? "write-only" : "present"); captured as an empty file")
                }
            } catch {
                skipped.append("\(path): \(error)")
            }
        }
    }

    private mutating func copyTree(_ path: String, depth: Int) {
        guard depth < Self.maximumDepth else {
            skipped.append("\(path): deeper than \(Self.maximumDepth) levels")
            return
        }
        let names: [String]
        do {
            names = try ctx.fileSystem.listDirectory(path)
            try writer.makeDirectory(path)
        } catch {
            skipped.append("\(path): \(error)")
            return
        }
        for name in names {
            let child = path + "/" + name
            if keepsLink(child, in: path) { continue }
            if let problem = symlinkProblem(child) {
                skipped.append("\(child): \(problem)")
                continue
            }
            let info: FileInfo?
            do { info = try ctx.fileSystem.info(child) } catch {
                skipped.append("\(child): \(error.reasonText)")
                continue
            }
            switch info {
            case let info? where info.kind == .directory: copyTree(child, depth: depth + 1)
            case let info? where info.kind == .file: copyFile(child)
            case nil: skipped.append("\(child): vanished while capturing")
            default: skipped.append("\(child): not a regular file")
            }
        }
    }

    private mutating func copyFile(_ path: String) {
        let data: Data
        do {
            data = try ctx.fileSystem.readFile(path)
        } catch {
            skipped.append("\(path): \(error.reasonText)")
            return
        }
        do {
            try writer.writeFile(data, at: path)
        } catch {
            skipped.append("\(path): cannot write into the snapshot: \(error.localizedDescription)")
        }
    }

    /// Why a symlink is not followed; nil for anything else, or a link staying inside what is
    /// captured (Debian's `/etc/sysctl.d/99-sysctl.conf` → `../sysctl.conf`). Links resolve
    /// inside the source root as the host sees them (through its descriptor), never on the
    /// capturing machine.
    func symlinkProblem(_ path: String) -> String? {
        guard let rooted = ctx.fileSystem as? RootedFileSystem,
              let link = rooted.symlinkResolution(of: path) else { return nil }
        guard let hostTarget = link.resolvedHostPath else { return "a dangling symlink to \(link.target)" }
        guard SnapshotPaths.capturedTops.contains(where: { hostTarget.hasPrefix($0) }) else {
            return "a symlink out of what is captured (\(link.target))"
        }
        return nil
    }
}
