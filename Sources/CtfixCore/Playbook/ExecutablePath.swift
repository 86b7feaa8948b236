#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The path arithmetic `PlaybookLocator.standard` does on the running binary's path, with
/// plain strings, realpath(3) and readlink(2) instead of Foundation's `URL` and `FileManager`
/// (whose first use on a dry-run cost about 1 % of it: docs/benchmarks.md). Each function
/// gives what the `URL` expression it replaced gave (PlaybookLocatorPathTests compares them
/// on generated paths through symlinked, relative and `..`-laden executables).
enum ExecutablePath {
    /// `URL(fileURLWithPath: path).resolvingSymlinksInPath().path`. A relative path is first
    /// joined to the current directory with its `.` and `..` removed as written (a URL's
    /// merge with its base, RFC 3986 5.2.4: `x//..` removes the empty name between the
    /// slashes); an absolute one is taken as it is. Trailing slashes dropped, then every
    /// symlink resolved when every component exists (realpath(3)), else (something missing,
    /// a loop) only `.`, `..` and repeated slashes removed, as written (`lexical`).
    static func resolved(_ path: String) -> String {
        var absolute = path.hasPrefix("/") ? path : merged(currentDirectory(), path)
        while absolute.count > 1, absolute.hasSuffix("/") { absolute.removeLast() }
        if let real = realpath(absolute, nil) {
            defer { free(real) }
            return String(cString: real)
        }
        return lexical(absolute)
    }

    /// `relative` joined to the absolute `directory`, dot segments removed as RFC 3986 does
    /// (empty names between two slashes count as names).
    static func merged(_ directory: String, _ relative: String) -> String {
        withoutDotSegments(joined(directory, relative).split(separator: "/", omittingEmptySubsequences: false).dropFirst())
    }

    /// An absolute path without `.`, `..` (at `/`, `..` is `/`), empty components or a
    /// trailing slash: what `URL.standardized.path` gives, by text alone.
    static func lexical(_ path: String) -> String {
        withoutDotSegments(path.split(separator: "/", omittingEmptySubsequences: true))
    }

    /// `/` and `names` without `.`, each `..` taking the name before it away.
    private static func withoutDotSegments(_ names: some Sequence<Substring>) -> String {
        var kept: [Substring] = []
        for name in names {
            if name == "." { continue }
            if name == ".." {
                _ = kept.popLast()
                continue
            }
            kept.append(name)
        }
        return "/" + kept.joined(separator: "/")
    }

    /// The directory holding `path` (absolute, as `lexical` returns it); `/` for `/`.
    static func parent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }

    /// `directory` + `/` + `name`, without doubling the slash of `/`.
    static func joined(_ directory: String, _ name: String) -> String {
        directory == "/" ? "/" + name : directory + "/" + name
    }

    /// True when `path` names something that exists, a symlink followed (`FileManager.fileExists`).
    static func exists(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0
    }

    /// The target of the symlink `path` as written (readlink(2)), nil when it is not one.
    static func linkTarget(_ path: String) -> String? {
        var buffer = [UInt8](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = buffer.withUnsafeMutableBufferPointer { raw in
            raw.withMemoryRebound(to: CChar.self) { readlink(path, $0.baseAddress!, $0.count - 1) }
        }
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count], as: UTF8.self)
    }

    static func currentDirectory() -> String {
        guard let cwd = getcwd(nil, 0) else { return "/" }
        defer { free(cwd) }
        return String(cString: cwd)
    }
}
