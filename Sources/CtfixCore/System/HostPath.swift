/// Host paths are checked before they reach any file system: absolute, no `..`, no NUL.
/// This is what keeps `sysctl: ../../etc/shadow` or a crafted log path inside the root.
public enum HostPath {
    /// Validates and normalises a host path (collapses `//` and `/./`).
    public static func normalize(_ path: String) throws(FileSystemError) -> String {
        guard path.hasPrefix("/") else {
            throw FileSystemError(path: path, reason: .invalidPath("must be absolute"))
        }
        guard !path.contains("\0") else {
            throw FileSystemError(path: path, reason: .invalidPath("contains a NUL byte"))
        }
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." {
                throw FileSystemError(path: path, reason: .invalidPath("'..' is not allowed"))
            }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }

    /// The parent directory of a normalised host path.
    public static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }

    /// The last component of a host path.
    public static func basename(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }
}
