import CtfixCore
import Foundation

/// A throwaway network namespace with its own conntrack table and sysctls, for tests that need
/// a real kernel without touching the host's: nothing is changed outside it, and it is deleted
/// whatever the test does.
struct NetworkNamespace: Sendable {
    let name: String

    /// Creates a uniquely named namespace with `lo` up, runs `body`, and deletes the namespace
    /// afterwards even when `body` throws (a `defer` cannot await, so this is the async form).
    static func with<T: Sendable>(_ body: (NetworkNamespace) async throws -> T) async throws -> T {
        let namespace = NetworkNamespace(name: "ctfix-test-" + String(UInt32.random(in: 0...UInt32.max), radix: 16))
        try await RealKernel.mustRun(["ip", "netns", "add", namespace.name])
        let outcome: Result<T, any Error>
        do {
            try await namespace.run(["ip", "link", "set", "lo", "up"])
            outcome = .success(try await body(namespace))
        } catch {
            outcome = .failure(error)
        }
        _ = try? await RealKernel.runner.run(["ip", "netns", "delete", namespace.name], timeout: .seconds(30))
        return try outcome.get()
    }

    /// Runs a program inside the namespace and insists that it succeeds.
    @discardableResult
    func run(_ argv: [String], timeout: Duration = .seconds(30)) async throws -> CommandResult {
        try await RealKernel.mustRun(["ip", "netns", "exec", name] + argv, timeout: timeout)
    }

    /// Runs a program inside the namespace and returns whatever happened.
    func attempt(_ argv: [String], timeout: Duration = .seconds(30)) async throws -> CommandResult {
        try await RealKernel.runner.run(["ip", "netns", "exec", name] + argv, timeout: timeout)
    }

    /// Makes conntrack track this namespace's traffic: an nftables output chain with a
    /// `ct state new` rule (a conntrack expression is what pulls connection tracking in).
    func trackConnections() async throws {
        try await run(["nft", "add", "table", "inet", "ctfixtest"])
        try await run(["nft", "add", "chain", "inet", "ctfixtest", "out",
                       "{ type filter hook output priority 0; policy accept; }"])
        try await run(["nft", "add", "rule", "inet", "ctfixtest", "out", "ct", "state", "new", "counter", "accept"])
    }

    /// Sends one UDP datagram to each port on 127.0.0.1: one conntrack entry per port.
    func sendUDP(ports: ClosedRange<Int>) async throws {
        try await run(["bash", "-c", "for p in $(seq \(ports.lowerBound) \(ports.upperBound)); do echo x > /dev/udp/127.0.0.1/$p; done"])
    }
}
