import CtfixCore
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// What the real-kernel tests need from this machine, and why a test is skipped when it is not
/// there. `scripts/test.sh` installs `ip` (iproute2) and `nft` (nftables) on CI.
enum RealKernel {
    static let runner = SubprocessCommandRunner()

    static var isRoot: Bool { geteuid() == 0 }

    /// True when the kernel has conntrack now (built in, or the module loaded).
    static var hasConntrack: Bool { FileManager.default.fileExists(atPath: "/proc/sys/net/netfilter/nf_conntrack_count") }

    /// Why the namespace tests cannot run here, or nil when they can.
    static var namespaceSkipReason: String? {
        if !isRoot { return "needs root to create network namespaces" }
        if !runner.isAvailable("ip") { return "needs 'ip' (iproute2)" }
        if !runner.isAvailable("nft") { return "needs 'nft' (nftables)" }
        return nil
    }

    static var canUseNamespaces: Bool {
        if let reason = namespaceSkipReason {
            print("skipping network-namespace tests: \(reason)")
            return false
        }
        return true
    }

    static var canReadHostConntrack: Bool {
        if !hasConntrack { print("skipping real-kernel reads: no /proc/sys/net/netfilter/nf_conntrack_count (conntrack not loaded)") }
        return hasConntrack
    }

    /// A setup step that did not work, with what the program said.
    struct CommandFailed: Error, CustomStringConvertible {
        var argv: [String]
        var result: CommandResult
        var description: String {
            "\(argv.joined(separator: " ")) exited \(result.exitStatus)\(result.timedOut ? " (timed out)" : ""): \(result.standardError)\(result.standardOutput)"
        }
    }

    /// Runs a program and insists that it succeeds.
    @discardableResult
    static func mustRun(_ argv: [String], timeout: Duration = .seconds(30)) async throws -> CommandResult {
        let result = try await runner.run(argv, timeout: timeout)
        guard result.succeeded else { throw CommandFailed(argv: argv, result: result) }
        return result
    }
}
