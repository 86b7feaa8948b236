/// Host paths are checked before they reach any file system: absolute, no `..`, no NUL.
/// This is what keeps `sysctl: ../../etc/shadow` or a crafted log path inside the root.
///
/// The checks read the path's bytes, as the kernel will: a `/`, `..` or NUL followed by a
/// combining mark (`"/a/../\u{301}b"`, `"/x\0\u{301}"`) is still a separator, a parent or a
/// NUL, where a Character-by-Character reading saw one grapheme and let it through.
public enum HostPath {
    /// Validates and normalises a host path (collapses `//` and `/./`).
    public static func normalize(_ path: String) throws(FileSystemError) -> String {
        let bytes = path.utf8
        guard bytes.first == UInt8(ascii: "/") else {
            throw FileSystemError(path: path, reason: .invalidPath("must be absolute"))
        }
        guard !bytes.contains(0) else {
            throw FileSystemError(path: path, reason: .invalidPath("contains a NUL byte"))
        }
        var parts: [Substring] = []
        for part in bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true) {
            if part.elementsEqual(CollectionOfOne(UInt8(ascii: "."))) { continue }
            if part.count == 2, part.allSatisfy({ $0 == UInt8(ascii: ".") }) {
                throw FileSystemError(path: path, reason: .invalidPath("'..' is not allowed"))
            }
            parts.append(Substring(part))
        }
        return "/" + parts.joined(separator: "/")
    }

    /// The parent directory of a normalised host path (split at the last `/` byte, so the
    /// last component never holds a `/` that a `*at` call would resolve).
    public static func parent(of path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }

    /// The last component of a host path: what follows the last `/` byte.
    public static func basename(_ path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return path }
        return String(path[path.utf8.index(after: slash)...])
    }
}
