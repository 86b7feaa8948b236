import CtfixCore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

/// What the Alertmanager integration test needs: the real Debian binaries, long-running
/// processes it always stops, a loopback HTTP client and free ports.
enum AlertmanagerSupport {
    static let alertmanager = "/usr/bin/prometheus-alertmanager"
    static let amtool = "/usr/bin/amtool"

    /// Why the test cannot run here, or nil.
    static var skipReason: String? {
        if !FileManager.default.isExecutableFile(atPath: alertmanager) { return "needs \(alertmanager) (Debian prometheus-alertmanager)" }
        if !FileManager.default.isExecutableFile(atPath: amtool) { return "needs \(amtool) (Debian prometheus-alertmanager)" }
        if !FileManager.default.isExecutableFile(atPath: PackagePaths.ctfixBinary.path) { return "needs the built ctfix (swift build)" }
        return nil
    }

    static var available: Bool {
        if let reason = skipReason { print("skipping Alertmanager integration: \(reason)") }
        return skipReason == nil
    }

    /// A started program whose output goes to files; `stop()` ends it (SIGTERM, then SIGKILL).
    final class Background: @unchecked Sendable {
        let process = Process()
        let name: String
        let logPath: String

        init(_ argv: [String], name: String, directory: String) throws {
            self.name = name
            logPath = "\(directory)/\(name).log"
            _ = FileManager.default.createFile(atPath: logPath, contents: nil)
            let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
            process.executableURL = URL(fileURLWithPath: argv[0])
            process.arguments = Array(argv.dropFirst())
            process.standardOutput = log
            process.standardError = log
            process.standardInput = FileHandle.nullDevice
            try process.run()
        }

        var output: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

        /// Sends SIGTERM and waits up to `grace` for the exit; SIGKILL after that. Returns the
        /// exit status, or nil when it had to be killed.
        @discardableResult
        func stop(grace: Duration = .seconds(15)) async -> Int32? {
            guard process.isRunning else { return process.terminationStatus }
            kill(process.processIdentifier, SIGTERM)
            let deadline = ContinuousClock.now + grace
            while process.isRunning && ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(50))
            }
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
                return nil
            }
            return process.terminationStatus
        }
    }

    struct Reply {
        var status: Int
        var headers: [String: String]
        var body: String
    }

    static func send(_ method: String, _ url: String, headers: [String: String] = [:], body: Data? = nil) async throws -> Reply {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        request.timeoutInterval = 10
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        request.httpBody = body
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as! HTTPURLResponse
        var fields: [String: String] = [:]
        for (name, value) in http.allHeaderFields { fields["\(name)".lowercased()] = "\(value)" }
        return Reply(status: http.statusCode, headers: fields, body: String(decoding: data, as: UTF8.self))
    }

    /// A TCP port on 127.0.0.1 that nothing listens on right now.
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    struct TimedOut: Error, CustomStringConvertible {
        var what: String
        var description: String { "timed out waiting for \(what)" }
    }

    /// Polls `condition` every 100 ms for at most `timeout`; throws instead of hanging.
    static func waitFor(_ what: String, timeout: Duration = .seconds(60), _ condition: () async -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if await condition() { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TimedOut(what: what)
    }

    /// The audit records of a JSON Lines file (empty while it does not exist).
    static func records(_ path: String) -> [AuditRecord] {
        guard let fileSystem = try? RootedFileSystem(root: "/") else { return [] }
        return (try? AuditLog(fileSystem: fileSystem, path: path).records()) ?? []
    }
}
