import Foundation
import CtfixCore

/// Scratch directories that ctfix, running as root, trusts: every directory from `/` down is
/// owned by root (or this user) and writable by nobody else. Tests run as root write their
/// playbooks here, not under `/tmp` (mode 1777, which ctfix refuses: see `PlaybookTrust`).
///
/// The base is `<package>/.build/ctfix-test-scratch` when the chain to the package is
/// trusted, else `/run/ctfix-test-scratch` (root-owned 0755 on Linux) for a checkout that lives
/// in a shared directory. Directories are made 0755 and files 0644 whatever the umask.
/// (The same file is in CtfixCoreTests and CtfixCLITests: test targets share no code.)
enum TrustedScratch {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    struct Untrusted: Error, CustomStringConvertible {
        var description: String
    }

    /// The rules ctfix applies as root, with this test process's user as the invoking user.
    static var rootTrust: PlaybookTrust { PlaybookTrust(effectiveUID: 0, invokingUID: UInt32(getuid())) }

    static let base: Result<String, Untrusted> = {
        var refusals: [String] = []
        for candidate in [packageRoot + "/.build/ctfix-test-scratch", "/run/ctfix-test-scratch"] {
            do {
                try FileManager.default.createDirectory(atPath: candidate, withIntermediateDirectories: true)
                chmod(candidate, 0o755)
                let probe = candidate + "/probe-\(getpid())"
                try write("probe", to: probe)
                defer { unlink(probe) }
                _ = try rootTrust.read(probe)
                return .success(candidate)
            } catch {
                refusals.append("\(candidate): \(error)")
            }
        }
        return .failure(Untrusted(description: "no trusted scratch directory: " + refusals.joined(separator: "; ")))
    }()

    /// A new, empty, trusted directory (mode 0755) named after `prefix`.
    static func directory(_ prefix: String) throws -> String {
        let path = try base.get() + "/\(prefix)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        chmod(path, 0o755)
        return path
    }

    /// Writes `text` to `path` with mode 0644 (not what the umask happens to allow).
    static func write(_ text: String, to path: String) throws {
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        chmod(path, 0o644)
    }
}
