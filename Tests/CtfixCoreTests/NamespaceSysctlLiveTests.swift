import Foundation
import Testing
@testable import CtfixCore

/// The setns writer on the real kernel: a throw-away namespace with a process kept in it; its
/// established-TCP timeout changes and the initial namespace's does not (both read), the
/// rollback restores it, and a pid that is not in the planned namespace is refused. The
/// initial namespace's sysctls are only read. Skipped when not root or without `ip`.
@Suite(.serialized) struct NamespaceSysctlLiveTests {
    static let key = "/proc/sys/net/netfilter/nf_conntrack_tcp_timeout_established"

    /// A namespace with a `sleep` in it; removed (and the sleep killed) on every exit path.
    final class ThrowAwayNamespace {
        let name: String
        let ip: String
        let process = Process()
        var id: UInt64 = 0

        init?() {
            guard getuid() == 0, let ip = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { return nil }
            self.ip = ip
            name = "ctfix-setns-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            guard NetNamespaceDiscoveryTests.shell(ip, ["netns", "add", name]) == 0 else { return nil }
            process.executableURL = URL(fileURLWithPath: ip)
            process.arguments = ["netns", "exec", name, "sleep", "60"]
            guard (try? process.run()) != nil else { _ = NetNamespaceDiscoveryTests.shell(ip, ["netns", "delete", name]); return nil }
            id = (try? FileManager.default.attributesOfItem(atPath: "/run/netns/\(name)")[.systemFileNumber] as? UInt64) ?? 0
        }

        /// The pid of the `sleep` once `ip netns exec` has exec'd it inside the namespace.
        func pidInside() async -> Int32? {
            for _ in 0..<200 {
                let pid = process.processIdentifier
                if NetNamespaces.namespace(ofProcess: String(pid), in: (try? RootedFileSystem(root: "/"))!) == id { return pid }
                try? await Task.sleep(for: .milliseconds(10))
            }
            return nil
        }

        deinit {
            if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
            _ = NetNamespaceDiscoveryTests.shell(ip, ["netns", "delete", name])
        }
    }

    static func initialValue() -> String? {
        (try? String(contentsOfFile: key, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func setnsWritesOnlyInsideTheNamespaceAndRollsBack() async throws {
        guard getuid() == 0, FileManager.default.fileExists(atPath: Self.key) else { return }
        let namespace = try #require(ThrowAwayNamespace(), "ip netns add failed")
        let hostBefore = try #require(Self.initialValue())
        let pid = try #require(await namespace.pidInside())
        let target = NamespaceTarget(id: namespace.id, pid: pid)
        let access = SetnsSysctlAccess()
        // Conntrack registers its per-namespace sysctls in a new namespace when first used there.
        let before = try access.read(Self.key, in: target).trimmingCharacters(in: .whitespacesAndNewlines)
        let wanted = before == "216001" ? "216002" : "216001"
        let readBack = try access.write(wanted, to: Self.key, in: target)
        #expect(readBack.trimmingCharacters(in: .whitespacesAndNewlines) == wanted)
        // Read independently: through `ip netns exec` (a different process) and the host's own value.
        #expect(Self.readInside(namespace) == wanted)
        #expect(Self.initialValue() == hostBefore)
        // The thread that did the write has ended; this task's own namespace is still the host's.
        #expect(NetNamespaces.namespace(ofProcess: "thread-self", in: try RootedFileSystem(root: "/")) == NetNamespaces.own(in: try RootedFileSystem(root: "/")))
        // Rollback through the applier: the undo step restores the namespace's value.
        let ctx = CtfixContext(fileSystem: try RootedFileSystem(root: "/"), isLiveHost: true, namespaceAccess: access)
        let step = PlannedStep.setNamespaceValue(namespace: target, label: "netns \(namespace.id)", path: Self.key,
                                                 name: "net.netfilter.nf_conntrack_tcp_timeout_established", before: before, after: wanted)
        _ = try await StepApplier(context: ctx, runID: "t").apply(try #require(step.undo))
        #expect(Self.readInside(namespace) == before)
        #expect(Self.initialValue() == hostBefore)
    }

    @Test func aPidInAnotherNamespaceIsRefusedBeforeAnyWrite() async throws {
        guard getuid() == 0, FileManager.default.fileExists(atPath: Self.key) else { return }
        let namespace = try #require(ThrowAwayNamespace(), "ip netns add failed")
        let hostBefore = try #require(Self.initialValue())
        _ = try #require(await namespace.pidInside())
        // Our own pid is in the initial namespace, not in the planned one: as if the pid had
        // been reused by a host process between plan and apply.
        let target = NamespaceTarget(id: namespace.id, pid: getpid())
        #expect(throws: NamespaceAccessError.self) { try SetnsSysctlAccess().write("1", to: Self.key, in: target) }
        do {
            _ = try SetnsSysctlAccess().write("1", to: Self.key, in: target)
        } catch {
            #expect(error.reason == .namespaceChanged)
        }
        #expect(Self.initialValue() == hostBefore)
    }

    static func readInside(_ namespace: ThrowAwayNamespace) -> String? {
        let process = Process()
        let pipe = Pipe()
        process.executableURL = URL(fileURLWithPath: namespace.ip)
        process.arguments = ["netns", "exec", namespace.name, "cat", key]
        process.standardOutput = pipe
        guard (try? process.run()) != nil else { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
