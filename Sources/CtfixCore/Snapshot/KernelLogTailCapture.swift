import Foundation

/// The last few MiB of the first available default kernel-log source, in a form the log
/// engine reads under `--root`: journald entries become RFC 3339 syslog lines in
/// `/var/log/kern.log`; kmsg records keep their format in `/dev/kmsg` (a regular file in the
/// capture); a log file keeps its path and format.
struct KernelLogTailCapture {
    let ctx: CtfixContext
    let limit: Int

    struct Tail {
        var hostPath: String
        var bytes: [UInt8]
        var note: String
    }

    /// The tail, or the list of what was tried.
    func capture() async -> Result<Tail, SnapshotError> {
        var tried: [String] = []
        switch await journald() {
        case .success(let tail): return .success(tail)
        case .failure(let why): tried.append("journald (\(why.message))")
        }
        switch kmsg() {
        case .success(let tail): return .success(tail)
        case .failure(let why): tried.append("\(KernelLogSource.kmsgPath) (\(why.message))")
        }
        for path in KernelLogSource.defaultFiles {
            switch file(path) {
            case .success(let tail): return .success(tail)
            case .failure(let why): tried.append("\(path) (\(why.message))")
            }
        }
        return .failure(SnapshotError("no kernel log captured: tried \(tried.joined(separator: ", "))"))
    }

    private func journald() async -> Result<Tail, SnapshotError> {
        guard ctx.isLiveHost else { return .failure(SnapshotError("only on the live host")) }
        guard ctx.commands.isAvailable("journalctl") else { return .failure(SnapshotError("journalctl not available")) }
        let argv = ["journalctl", "-k", "-o", "json", "--no-pager", "-n", "200000"]
        let result: CommandResult
        do {
            result = try await ctx.commands.run(argv, environment: [:], timeout: .seconds(20), outputLimit: limit * 8)
        } catch {
            return .failure(SnapshotError(error.message))
        }
        guard result.succeeded else { return .failure(SnapshotError("exit status \(result.exitStatus)")) }
        let (entries, _) = JournalJSONEntry.parseOutput(result.standardOutput)
        let host = (try? ctx.fileSystem.readText("/proc/sys/kernel/hostname"))?.trimmed(.whitespacesAndNewlines) ?? "localhost"
        var text = ""
        for entry in entries where entry.isKernel {
            guard let time = entry.time else { continue }
            text += Self.rfc3339(time) + " \(host) kernel: " + entry.message.replacingOccurrences(of: "\n", with: " ") + "\n"
        }
        guard !text.isEmpty else { return .failure(SnapshotError("no kernel entries")) }
        return .success(Tail(hostPath: "/var/log/kern.log", bytes: Self.lastLines(Array(text.utf8), limit: limit),
                             note: "kernel log: journald (journalctl -k) as RFC 3339 lines in /var/log/kern.log"))
    }

    private func kmsg() -> Result<Tail, SnapshotError> {
        let path = KernelLogSource.kmsgPath
        guard let info = try? ctx.fileSystem.info(path) else { return .failure(SnapshotError("no such file")) }
        guard info.kind == .characterDevice else { return .failure(SnapshotError("not a character device")) }
        do {
            let (bytes, _) = try ctx.fileSystem.readKernelRecords(path, limit: 64 << 20)
            guard !bytes.isEmpty else { return .failure(SnapshotError("empty")) }
            return .success(Tail(hostPath: path, bytes: Self.lastLines(bytes, limit: limit),
                                 note: "kernel log: the /dev/kmsg ring buffer, records as read, in /dev/kmsg (a regular file)"))
        } catch {
            return .failure(SnapshotError(error.reasonText))
        }
    }

    private func file(_ path: String) -> Result<Tail, SnapshotError> {
        do {
            guard let info = try ctx.fileSystem.info(path), info.kind == .file else { return .failure(SnapshotError("no such file")) }
            let reader = try ctx.fileSystem.openForReading(path)
            let start = max(0, reader.size - Int64(limit))
            var bytes = try reader.read(at: start, count: Int(reader.size - start))
            if start > 0, let newline = bytes.firstIndex(of: 0x0A) { bytes.removeFirst(newline + 1) }
            return .success(Tail(hostPath: path, bytes: bytes, note: "kernel log: the last \(bytes.count) bytes of \(path)"))
        } catch {
            return .failure(SnapshotError(error.reasonText))
        }
    }

    /// The last `limit` bytes, starting at a line.
    static func lastLines(_ bytes: [UInt8], limit: Int) -> [UInt8] {
        guard bytes.count > limit else { return bytes }
        var tail = Array(bytes.suffix(limit))
        if let newline = tail.firstIndex(of: 0x0A) { tail.removeFirst(newline + 1) }
        return tail
    }

    static func rfc3339(_ date: Date) -> String {
        ISO8601Time.rounded(date, fraction: true)
    }
}
