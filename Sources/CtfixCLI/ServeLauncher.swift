import ArgumentParser
import CtfixCore
import Foundation

/// Where `ctfix serve` runs: the HTTP server (Hummingbird, SwiftNIO, Prometheus) is linked only
/// into the `ctfix-serve` executable, not into `ctfix`.
///
/// Why: every command of `ctfix` paid for the server at start-up without using it: its
/// 1 975 protocol conformances made each of the Swift runtime's first-time conformance
/// scans a fifth longer, and its code and metadata took relocations, page faults and resident
/// memory (docs/benchmarks.md). `ctfix serve …` parses and checks its arguments as every
/// command does, then replaces itself (execv, same process ID, same arguments) with
/// `ctfix-serve serve …`, which is the same command line with the server linked in.
public enum ServeLauncher {
    /// What `serve` was asked to do, once its arguments parsed.
    public struct Request: Sendable {
        public var configPath: String
        public var listen: String
        public var auditLogPath: String?
        public var insecureNoAuth: Bool
    }

    /// Set by `ctfix-serve`'s entry point: runs the server in this process and returns the
    /// exit status. Nil in `ctfix`, which execs `ctfix-serve` instead.
    nonisolated(unsafe) public static var server: (@Sendable (Request, CtfixContext) async -> ExitStatus)?

    /// The helper's paths, first found wins: beside the running binary (a build directory,
    /// `PREFIX/bin`), then `../libexec/ctfix/` (the package: /usr/bin/ctfix and
    /// /usr/libexec/ctfix/ctfix-serve).
    static func candidates(besides executable: String) -> [String] {
        let directory = (executable as NSString).deletingLastPathComponent
        return ["\(directory)/ctfix-serve", ((directory as NSString).appendingPathComponent("../libexec/ctfix/ctfix-serve") as NSString).standardizingPath]
    }

    /// Why the file open as `descriptor` (found at `path`) must not be executed as root, or
    /// nil: it must be a regular executable file owned by root (or by the user running ctfix)
    /// that nobody else can write.
    static func trustProblem(_ path: String, descriptor: Int32) -> String? {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return "\(path): \(String(cString: strerror(errno)))" }
        guard info.st_mode & S_IFMT == S_IFREG else { return "\(path) is not a regular file" }
        guard info.st_mode & 0o111 != 0 else { return "\(path) is not executable" }
        guard info.st_uid == 0 || info.st_uid == geteuid() else { return "\(path) is owned by user \(info.st_uid), not by root" }
        guard info.st_mode & 0o022 == 0 else { return "\(path) is writable by group or others (mode \(String(info.st_mode & 0o7777, radix: 8)))" }
        return nil
    }

    /// Replaces this process with `ctfix-serve` and the same arguments; returns only when that
    /// cannot be done, as the exit status to stop with (69, unavailable) after saying why.
    /// The file judged is the file executed: it is opened once (`O_PATH|O_NOFOLLOW`: a link
    /// planted at the path is refused, not followed), judged by `fstat`, and run by descriptor
    /// (`fexecve`), so nothing renamed into its place after the check can run instead.
    static func execServer() -> ExitCode {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var problems: [String] = []
        for path in candidates(besides: executable) {
            let descriptor = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC)
            guard descriptor >= 0 else {
                problems.append(errno == ENOENT ? "\(path): not found"
                                : errno == ELOOP ? "\(path) is not a regular file (a symbolic link)"
                                : "\(path): \(String(cString: strerror(errno)))")
                continue
            }
            defer { close(descriptor) }
            if let problem = trustProblem(path, descriptor: descriptor) { problems.append(problem); continue }
            fflush(nil) // whatever print() buffered goes out before the image is replaced
            let arguments = [path] + CommandLine.arguments.dropFirst()
            let environment = ProcessInfo.processInfo.environment.map { "\($0.key)=\($0.value)" }
            var argv = arguments.map { strdup($0) } + [nil]
            var envp = environment.map { strdup($0) } + [nil]
            fexecve(descriptor, &argv, &envp)
            problems.append("\(path): cannot execute: \(String(cString: strerror(errno)))")
            for pointer in argv + envp { free(pointer) }
        }
        let text = "error: cannot start the server: ctfix serve runs ctfix-serve, installed beside ctfix: " + problems.joined(separator: "; ")
        FileHandle.standardError.write(Data((TerminalText.escape(text) + "\n").utf8))
        return ExitCode(ExitStatus.unavailable.rawValue)
    }
}
