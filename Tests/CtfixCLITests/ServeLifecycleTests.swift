import CtfixCore
import Foundation
import Testing

/// `ctfix serve`'s start and stop as the audit log and an operator see them. Attacks: a port
/// another program already listens on, an address this host does not have, SIGTERM and SIGINT
/// after alerts were handled. A server that never listened has no `serve_start`; every start
/// that listened ends with a `serve_stop`.
@Suite(.serialized) struct ServeLifecycleTests {
    let directory: String

    init() throws {
        directory = try TrustedScratch.directory("ctfix-serve-life")
    }

    /// A config with a bearer token (0600) routing `ConntrackTableNearlyFull` to a dry-run.
    func config() throws -> String {
        try TrustedScratch.write("t0ken\n", to: "\(directory)/token")
        chmod("\(directory)/token", 0o600)
        let playbook = PackagePaths.root.appendingPathComponent("playbooks/table-full.yaml").path
        let path = "\(directory)/routes.yaml"
        try TrustedScratch.write("""
            version: 1
            auth: {bearer_token_file: token}
            routes: [{match: {alertname: ConntrackTableNearlyFull}, playbook: \(playbook), mode: dry-run}]

            """, to: path)
        return path
    }

    /// A socket listening on 127.0.0.1 (an ephemeral port), as another program's would.
    static func occupiedPort() throws -> (descriptor: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        guard fd >= 0, bound == 0, listen(fd, 1) == 0 else { throw POSIXError(.EADDRINUSE) }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    func events(_ path: String) -> [String] { AlertmanagerSupport.records(path).map(\.event) }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: PackagePaths.ctfixBinary.path), "needs the built ctfix"))
    func aBusyPortIsOneClearLineAndNoStartRecord() async throws {
        let config = try config()
        let (descriptor, port) = try Self.occupiedPort()
        defer { close(descriptor) }
        let audit = "\(directory)/audit.jsonl"
        let result = try await CtfixBinary.run(["serve", "--config", config, "--root", directory, "--listen", "127.0.0.1:\(port)",
                                                "--audit-log", audit], timeout: .seconds(30))
        #expect(result.exitStatus == ExitStatus.unavailable.rawValue)
        #expect(result.standardError == "ctfix serve: cannot listen on 127.0.0.1:\(port): address already in use\n")
        #expect(!result.standardOutput.contains("listening"))
        #expect(!events(audit).contains("serve_start"), "a server that never listened was audited as started")
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: PackagePaths.ctfixBinary.path), "needs the built ctfix"))
    func anAddressThisHostDoesNotHaveIsRefusedTheSameWay() async throws {
        let config = try config()
        let audit = "\(directory)/audit.jsonl"
        // 192.0.2.0/24 is TEST-NET-1: never an address of this machine.
        let result = try await CtfixBinary.run(["serve", "--config", config, "--root", directory, "--listen", "192.0.2.1:9095",
                                                "--audit-log", audit], timeout: .seconds(30))
        #expect(result.exitStatus == ExitStatus.unavailable.rawValue)
        #expect(result.standardError == "ctfix serve: cannot listen on 192.0.2.1:9095: cannot assign requested address\n")
        #expect(events(audit).isEmpty)
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The start record is written once the socket is bound; when it cannot be written the
    /// server stops again (it never answers an alert it could not audit) and says why.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: PackagePaths.ctfixBinary.path), "needs the built ctfix"))
    func anAuditLogThatCannotBeWrittenStopsTheServerItBound() async throws {
        let config = try config()
        let port = AlertmanagerSupport.freePort()
        // The token is a regular file: nothing can be created under it, not even as root.
        let result = try await CtfixBinary.run(["serve", "--config", config, "--root", directory, "--listen", "127.0.0.1:\(port)",
                                                "--audit-log", "\(directory)/token/audit.jsonl"], timeout: .seconds(30))
        #expect(result.exitStatus == ExitStatus.refused.rawValue, "\(result.standardError)")
        #expect(result.standardError.contains("ctfix serve: refusing to start: "), "\(result.standardError)")
        #expect(!result.standardOutput.contains("ctfix serve: listening"))
        #expect(ListenCheck.canBind(port: port), "the port is free again once serve refused")
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: PackagePaths.ctfixBinary.path), "needs the built ctfix"),
          arguments: [SIGTERM, SIGINT])
    func aCleanStopWritesServeStopWithWhatWasHandled(signal: Int32) async throws {
        let config = try config()
        let audit = "\(directory)/audit-\(signal).jsonl"
        let port = AlertmanagerSupport.freePort()
        let serve = try AlertmanagerSupport.Background(
            [PackagePaths.ctfixBinary.path, "serve", "--config", config, "--root", directory, "--listen", "127.0.0.1:\(port)",
             "--audit-log", audit], name: "ctfix-serve-\(signal)", directory: directory)
        do {
            try await AlertmanagerSupport.waitFor("ctfix serve /healthz", timeout: .seconds(30)) {
                (try? await AlertmanagerSupport.send("GET", "http://127.0.0.1:\(port)/healthz"))?.status == 200
            }
            // An alert for another host that no route takes: one decision, no run.
            let body = #"{"status":"firing","alerts":[{"status":"firing","labels":{"alertname":"DiskFull","instance":"elsewhere"}}]}"#
            let reply = try await AlertmanagerSupport.send("POST", "http://127.0.0.1:\(port)/alerts",
                                                           headers: ["Authorization": "Bearer t0ken"], body: Data(body.utf8))
            #expect(reply.status == 200)
        } catch {
            await serve.stop()
            Issue.record("ctfix serve said:\n\(serve.output)")
            throw error
        }
        kill(serve.process.processIdentifier, signal)
        let status = await serve.stop(grace: .seconds(30))
        #expect(status == 0, "\(serve.output)")
        let records = AlertmanagerSupport.records(audit)
        #expect(records.first?.event == "serve_start")
        let stop = try #require(records.last)
        #expect(stop.event == "serve_stop")
        #expect(stop.runID == records.first?.runID)
        #expect(stop.fields["outcome"]?.stringValue == "stopped")
        let decided = (stop.fields["alerts"]?["not_for_this_host"] ?? stop.fields["alerts"]?["no_route"])?.numberValue
        #expect(decided == 1, "\(stop.fields)")
        #expect(serve.output.contains("ctfix serve: stopped"))
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// Whether 127.0.0.1:port can be bound right now (nobody listens on it).
enum ListenCheck {
    static func canBind(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var on: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }
}
