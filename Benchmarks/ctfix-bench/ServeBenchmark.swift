import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `ctfix-bench serve`: how fast the release `ctfix serve` answers Alertmanager, measured from
/// a client on loopback over one keep-alive connection (as Alertmanager's HTTP client does): a
/// request's time from the first byte sent to the last byte of the answer. Two kinds: a
/// repeated alert (audited twice, deduped) and a new alert each time (audited twice and queued
/// with fsync, while the worker runs dry-runs of the queued jobs in the background).
enum ServeBenchmark {
    static func run(_ arguments: [String]) async throws {
        var requests = 2000
        if let index = arguments.firstIndex(of: "--requests"), index + 1 < arguments.count, let n = Int(arguments[index + 1]) { requests = n }
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("ctfix").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw BenchmarkError("\(binary) not found: build it with `swift build -c release` first")
        }
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        // Beside the repo's build, not in /tmp: as root, ctfix refuses a config in a mode-1777 directory.
        let work = repo + "/.build/ctfix-bench-serve-\(getpid())"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        chmod(work, 0o755)
        defer { try? FileManager.default.removeItem(atPath: work) }
        try FileManager.default.copyItem(atPath: "\(repo)/examples/hosts/centos5-ip-conntrack", toPath: "\(work)/host")
        try "bench-token\n".write(toFile: "\(work)/token", atomically: true, encoding: .utf8)
        try """
        version: 1
        auth: {bearer_token_file: token}
        routes:
          - {match: {alertname: ConntrackTableFull}, playbook: \(repo)/playbooks/table-full.yaml, mode: dry-run}
        """.write(toFile: "\(work)/routes.yaml", atomically: false, encoding: .utf8)
        chmod("\(work)/routes.yaml", 0o644)
        let port = 20000 + Int(getpid() % 20000)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", "--config", "\(work)/routes.yaml", "--root", "\(work)/host", "--listen", "127.0.0.1:\(port)",
                             "--audit-log", "\(work)/audit.jsonl"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        let connection = try await KeepAliveConnection.open(port: port, timeout: .seconds(20))
        defer { connection.close() }

        print("ctfix serve: POST /alerts answer time over one keep-alive loopback connection (release build, \(requests) requests each, after 50 warm-up)")
        print("kind                      median    p90       p99       max")
        for kind in ["repeated alert (deduped)", "new alert (queued)"] {
            var samples: [Double] = []
            for index in -50..<requests {
                let startsAt = kind.hasPrefix("new") ? "2026-11-22T03:00:00.\(String(format: "%06d", index + 100))Z" : "2026-11-22T03:00:00Z"
                let body = #"{"version":"4","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"ConntrackTableFull","instance":"server:9100"},"startsAt":"\#(startsAt)","fingerprint":"0123456789abcdef"}]}"#
                let start = ContinuousClock.now
                let status = try connection.post("/alerts", body: body, token: "bench-token")
                let elapsed = (ContinuousClock.now - start).seconds * 1000
                guard status == 200 else { throw BenchmarkError("answer \(status)") }
                if index >= 0 { samples.append(elapsed) }
            }
            samples.sort()
            func pick(_ q: Double) -> String { String(format: "%6.2f ms", samples[min(samples.count - 1, Int(Double(samples.count - 1) * q))]) }
            print("\(kind.padding(toLength: 26, withPad: " ", startingAt: 0))\(pick(0.5))  \(pick(0.9))  \(pick(0.99))  \(pick(1))")
        }
    }
}

/// A blocking HTTP/1.1 client on one socket: no client library's own overhead in the figures.
final class KeepAliveConnection {
    let fd: Int32

    private init(fd: Int32) { self.fd = fd }

    static func open(port: Int, timeout: Duration) async throws -> KeepAliveConnection {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            if connected == 0 {
                var one: Int32 = 1
                setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                return KeepAliveConnection(fd: fd)
            }
            Glibc.close(fd)
            try await Task.sleep(for: .milliseconds(50))
        }
        throw BenchmarkError("ctfix serve did not listen on 127.0.0.1:\(port)")
    }

    /// Sends one POST and reads the whole answer; returns its status.
    func post(_ path: String, body: String, token: String) throws -> Int {
        let request = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
        let bytes = Array(request.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { throw BenchmarkError("send failed") }
            sent += n
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            guard n > 0 else { throw BenchmarkError("connection closed") }
            received += buffer[0..<n]
            guard let headerEnd = Self.find([13, 10, 13, 10], in: received) else { continue }
            let head = String(decoding: received[0..<headerEnd], as: UTF8.self)
            let length = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
            if received.count >= headerEnd + 4 + length {
                return Int(head.split(separator: " ")[1]) ?? 0
            }
        }
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for index in 0...(haystack.count - needle.count) where Array(haystack[index..<index + needle.count]) == needle { return index }
        return nil
    }

    func close() { Glibc.close(fd) }
}
