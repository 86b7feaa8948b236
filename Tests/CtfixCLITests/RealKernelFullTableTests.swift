import CtfixCore
import Foundation
import Testing

/// The end-to-end test of issue 9 on the real kernel: a genuine full table in a namespace
/// (`FullTableFixture`: global max lowered to 100, 100 connections held, new ones refused), then
/// the real binary's `check`, `status`, `run --yes` and `rollback` on this machine.
@Suite(.enabled(if: RealKernel.canUseNamespaces, "needs root, 'ip' and 'nft'"), .serialized)
struct RealKernelFullTableTests {
    static let persistFiles = ["/etc/sysctl.d/90-ctfix-conntrack.conf", "/etc/modules-load.d/ctfix-conntrack.conf",
                               "/etc/modprobe.d/90-ctfix-conntrack.conf"]

    /// The namespace the holder fills, as ctfix's discovery names it.
    static func holderNamespace(_ full: (held: Int, failed: Int, pid: Int32)) throws -> NetNamespace {
        let fs = try RootedFileSystem(root: "/")
        return try #require(NetNamespaces.discover(in: fs).first { !$0.isInitial && $0.processName == "python3" })
    }

    @Test func theNamespacesCountersEqualConntrackS() async throws {
        guard RealKernel.runner.isAvailable("conntrack") else { print("skipping: no 'conntrack' (Debian package conntrack)"); return }
        try await FullTableFixture.with { table in
            let full = try await table.waitUntilFull()
            let namespace = try Self.holderNamespace(full)
            let fs = try RootedFileSystem(root: "/")
            // conntrack -S names: found invalid insert insert_failed drop early_drop error search_restart clash_resolve chaintoolong
            let names = ["found": "found", "invalid": "invalid", "insert": "insert", "insert_failed": "insert_failed", "drop": "drop",
                         "early_drop": "early_drop", "error": "icmp_error", "search_restart": "search_restart",
                         "clash_resolve": "clashres", "chaintoolong": "chainlength"]
            var compared = false
            for _ in 0..<20 where !compared {
                let before = try KernelStatTable.parse(fs.readText(namespace.procNet + "/stat/nf_conntrack")).get()
                let tool = try await table.namespace.run(["conntrack", "-S"])
                let after = try KernelStatTable.parse(fs.readText(namespace.procNet + "/stat/nf_conntrack")).get()
                guard before == after else { continue }   // the holder's next attempt came in between
                var sums: [String: UInt64] = [:]
                for line in tool.standardOutput.split(separator: "\n") {
                    for field in line.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
                        let parts = field.split(separator: "=")
                        guard parts.count == 2, let value = UInt64(parts[1]), let column = names[String(parts[0])] else { continue }
                        sums[column, default: 0] += value
                    }
                }
                #expect(sums.count >= 8, "\(tool.standardOutput)")
                for (column, sum) in sums where after.index(of: column) != nil {
                    #expect(after.total(column) == sum, "\(column): stat file \(after.total(column) ?? 0), conntrack -S \(sum)")
                }
                #expect((sums["drop"] ?? 0) >= 3, "a full table drops")
                compared = true
            }
            #expect(compared, "the counters never held still long enough to compare")
        }
    }

    @Test func aGenuineFullTableIsDetectedRemediatedAndRolledBack() async throws {
        let directory = try TrustedScratch.directory("full-table-run")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // The shipped playbook without its 30 m cooldown, so the suite can run twice in a row.
        let shipped = try String(contentsOfFile: PackagePaths.root.appendingPathComponent("playbooks/table-full.yaml").path, encoding: .utf8)
        let playbook = directory + "/table-full.yaml"
        try TrustedScratch.write(shipped.replacingOccurrences(of: "cooldown: 30m", with: "cooldown: 0s"), to: playbook)
        let audit = directory + "/audit.jsonl"
        let filesBefore = Self.persistFiles.map { try? String(contentsOfFile: $0, encoding: .utf8) }

        try await FullTableFixture.with { table in
            let full = try await table.waitUntilFull()
            let namespace = try Self.holderNamespace(full)

            // check: fires, with the namespace's counters as evidence.
            let check = try await CtfixBinary.run(["check", playbook, "--json"])
            #expect(check.exitStatus == ExitStatus.critical.rawValue, "\(check.standardOutput)\(check.standardError)")
            #expect(check.standardOutput.contains("in netns \(namespace.id) (pid \(namespace.pid) python3) at 100 / 100 = 100% full"),
                    "\(check.standardOutput)")

            // status: every namespace with its own count against the one global max.
            let status = try await CtfixBinary.run(["status"])
            #expect(status.standardOutput.contains("netns \(namespace.id) (pid \(namespace.pid) python3): 100 entries (100% of max); since boot: "),
                    "\(status.standardOutput)")
            let statusJSON = try CtfixBinary.json(try await CtfixBinary.run(["status", "--json"]))
            let listed = try #require(statusJSON["namespaces"] as? [[String: Any]])
            let mine = try #require(listed.first { ($0["id"] as? NSNumber)?.uint64Value == namespace.id })
            #expect((mine["entries"] as? NSNumber)?.intValue == 100)
            #expect(((mine["drop"] as? NSNumber)?.intValue ?? 0) >= 3)

            let timeoutPath = "/proc/sys/net/netfilter/nf_conntrack_tcp_timeout_established"
            let readTimeout = { try await table.namespace.run(["cat", timeoutPath]).standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) }
            let namespaceTimeout = try await readTimeout()
            let hostTimeout = try String(contentsOfFile: timeoutPath, encoding: .utf8)

            // run --yes: raises the limit, halves the timeout in that namespace, new flows get
            // through, verification reads the namespace.
            let run = try await CtfixBinary.run(["run", playbook, "--yes", "--json", "--audit-log", audit], timeout: .seconds(120))
            #expect(run.exitStatus == ExitStatus.ok.rawValue, "\(run.standardOutput)\(run.standardError)")
            #expect(try FullTableFixture.currentMax() >= 65536)
            #expect(try await readTimeout() == String((Int(namespaceTimeout) ?? 0) / 2), "halved in the namespace in trouble")
            #expect(run.standardOutput.contains("in netns \(namespace.id) (pid \(namespace.pid) python3): net.netfilter.nf_conntrack_tcp_timeout_established"),
                    "\(run.standardOutput)")
            #expect(try await table.newConnectionGetsThrough())
            let report = try CtfixBinary.json(run)
            let verification = try #require(report["verification"] as? [String: Any])
            let text = String(describing: verification)
            #expect(text.contains("netns \(namespace.id)"), "verification must measure the namespace: \(text)")
            let runID = try #require(report["run_id"] as? String)

            // rollback: every value and file as before the run.
            let rollback = try await CtfixBinary.run(["rollback", runID, "--yes", "--audit-log", audit])
            #expect(rollback.exitStatus == 0, "\(rollback.standardOutput)\(rollback.standardError)")
            #expect(try FullTableFixture.currentMax() == 100)
            #expect(try await readTimeout() == namespaceTimeout, "the namespace's timeout restored")
            #expect(try String(contentsOfFile: timeoutPath, encoding: .utf8) == hostTimeout)
            #expect(Self.persistFiles.map { try? String(contentsOfFile: $0, encoding: .utf8) } == filesBefore)
        }
        // Whatever happened above: the files this run may have written are put back.
        for (path, content) in zip(Self.persistFiles, filesBefore) {
            if let content { try? content.write(toFile: path, atomically: true, encoding: .utf8) } else { try? FileManager.default.removeItem(atPath: path) }
        }
    }
}
