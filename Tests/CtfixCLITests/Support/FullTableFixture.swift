import CtfixCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A genuine full conntrack table on the real kernel: the initial namespace's global
/// `nf_conntrack_max` lowered to `limit` while a throw-away namespace with a tracking nftables
/// ruleset holds that many TCP connections over its loopback and keeps trying new ones (each
/// SYN the full table drops raises the namespace's `drop` counter; the kernel logs
/// "nf_conntrack: table full in netns N, dropping packet").
///
/// The global value is saved to a file before it is lowered and restored on every exit path;
/// a suite killed half-way leaves the file, and the next start restores from it
/// (`restoreSaved`). Nothing else on this machine uses conntrack.
struct FullTableFixture: Sendable {
    static let maxPath = "/proc/sys/net/netfilter/nf_conntrack_max"
    static let savedPath = "/var/lib/ctfix-ci/nf_conntrack_max.saved"

    let namespace: NetworkNamespace
    let statusPath: String
    let port: Int

    /// Restores the global max a previous, interrupted run saved (and removes the record).
    static func restoreSaved() {
        guard let saved = try? String(contentsOfFile: savedPath, encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines), let value = Int(saved), value > 0 else { return }
        try? "\(value)\n".write(toFile: maxPath, atomically: false, encoding: .utf8)
        try? FileManager.default.removeItem(atPath: savedPath)
    }

    static func currentMax() throws -> Int {
        let text = try String(contentsOfFile: maxPath, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let value = Int(text) else { throw CocoaError(.fileReadCorruptFile) }
        return value
    }

    /// Runs `body` with a full table of `limit` entries; restores the global max (and deletes
    /// the namespace and the holder) whatever happens.
    static func with<T: Sendable>(limit: Int = 100, _ body: (FullTableFixture) async throws -> T) async throws -> T {
        restoreSaved()
        let original = try currentMax()
        try FileManager.default.createDirectory(atPath: (savedPath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try "\(original)\n".write(toFile: savedPath, atomically: true, encoding: .utf8)
        defer { restoreSaved() }
        return try await NetworkNamespace.with { namespace in
            try await namespace.trackConnections()
            let directory = try TrustedScratch.directory("full-table")
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let script = directory + "/holder.py"
            try holderScript.write(toFile: script, atomically: true, encoding: .utf8)
            let fixture = FullTableFixture(namespace: namespace, statusPath: directory + "/status", port: 7000)
            try "\(limit)\n".write(toFile: maxPath, atomically: false, encoding: .utf8)
            let holder = Process()
            holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            holder.arguments = ["ip", "netns", "exec", namespace.name, "python3", script, String(fixture.port), fixture.statusPath]
            holder.standardOutput = FileHandle.nullDevice
            holder.standardError = FileHandle.nullDevice
            try holder.run()
            defer {
                kill(holder.processIdentifier, SIGKILL)
                holder.waitUntilExit()
            }
            return try await body(fixture)
        }
    }

    /// The holder's last report: connections held, attempts refused so far.
    func status() -> (held: Int, failed: Int, pid: Int32)? {
        guard let text = try? String(contentsOfFile: statusPath, encoding: .utf8) else { return nil }
        let parts = text.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        guard parts.count == 3 else { return nil }
        return (parts[0], parts[1], Int32(parts[2]))
    }

    /// Waits until the holder has filled the table and seen new connections refused.
    func waitUntilFull(timeout: Duration = .seconds(60)) async throws -> (held: Int, failed: Int, pid: Int32) {
        let clock = ContinuousClock()
        let end = clock.now.advanced(by: timeout)
        while clock.now < end {
            if let now = status(), now.failed >= 3 { return now }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "the holder never filled the table: \(String(describing: status()))"])
    }

    /// Opens one new connection inside the namespace and says whether it got through.
    func newConnectionGetsThrough() async throws -> Bool {
        let probe = "import socket,sys\ns=socket.socket(); s.settimeout(2)\ntry:\n s.connect(('127.0.0.1',\(port))); print('ok')\nexcept Exception as e:\n print('failed', e)\n"
        let result = try await namespace.attempt(["python3", "-c", probe], timeout: .seconds(20))
        return result.standardOutput.hasPrefix("ok")
    }

    /// Listens on 127.0.0.1:PORT, opens connections until the table refuses them, then keeps
    /// trying one every 200 ms (each refused SYN is a drop; one that gets through is closed,
    /// so the held set stays what filled the table); writes "held failed pid" to the status
    /// file after every attempt.
    static let holderScript = """
        import os, select, socket, sys, time
        port, status = int(sys.argv[1]), sys.argv[2]
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", port))
        server.listen(4096)
        server.setblocking(False)
        held, accepted, failed = [], [], 0
        def report():
            with open(status + ".tmp", "w") as f:
                f.write("%d %d %d\\n" % (len(held), failed, os.getpid()))
            os.replace(status + ".tmp", status)
        def attempt(keep):
            s = socket.socket()
            s.setblocking(False)
            try:
                s.connect(("127.0.0.1", port))
            except BlockingIOError:
                pass
            _, writable, _ = select.select([], [s], [], 0.3)
            ok = bool(writable) and s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0
            while True:
                try:
                    peer = server.accept()[0]
                except BlockingIOError:
                    break
                if keep and ok:
                    accepted.append(peer)
                else:
                    peer.close()
            if ok and keep:
                held.append(s)
            else:
                s.close()
            return ok
        while True:
            # Fill the table, then keep one new attempt every 200 ms (closed when it succeeds).
            ok = attempt(failed == 0)
            if not ok:
                failed += 1
            report()
            if failed:
                time.sleep(0.2)
        """
}
