import Foundation
import Subprocess
import Synchronization
#if canImport(System)
import System
#else
import SystemPackage
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Follows journald's kernel messages as they arrive: `journalctl -k -f -o json`, streamed
/// through swift-subprocess (the `CommandRunner` is one-shot). Lines are collected by a task
/// and a byte on a pipe wakes the watcher's `poll(2)`, so journald fits the same loop as a
/// file or `/dev/kmsg`. Each entry's `__CURSOR` is kept: a restart continues with
/// `--after-cursor` (nothing replayed, nothing skipped); without one it starts at the end.
public final class JournaldStream: Sendable {
    /// Readable when lines arrived (or the program ended).
    public var descriptor: Int32 { wake.readEnd }
    private let wake: WatchStopSignal
    private let shared = Shared()

    /// What the reading task and the watcher share (a class: a `Mutex` cannot be copied into
    /// the task's closure).
    final class Shared: Sendable {
        let collected = Mutex<Collected>(Collected())
        let task = Mutex<Task<Void, Never>?>(nil)
    }

    struct Collected {
        var lines: [String] = []
        var cursor: String?
        var pid: pid_t?
        var ended: String?
        var endReported = false
    }

    /// Starts `program -k -f -o json` after `cursor`, else from `since` (`--lookback`), else
    /// from the end (`--lines=0`).
    public init(program: String = "journalctl", afterCursor cursor: String?, since: Date? = nil) throws(FileSystemError) {
        wake = try WatchStopSignal()
        shared.collected.withLock { $0.cursor = cursor }
        let arguments = ["-k", "-f", "-o", "json", "--no-pager"] + (cursor.map { ["--after-cursor=\($0)"] }
            ?? since.map { ["--since=@\(Int64($0.timeIntervalSince1970.rounded(.down)))", "--lines=all"] } ?? ["--lines=0"])
        let executable: Executable = program.hasPrefix("/") ? .path(FilePath(program)) : .name(program)
        let shared = shared
        let wake = wake
        let started = Task.detached {
            var pending: [UInt8] = []
            var ending = "journalctl ended"
            do {
                let result = try await Subprocess.run(executable, arguments: Arguments(arguments),
                                                      environment: .custom([Environment.Key(rawValue: "PATH")!: SubprocessCommandRunner.searchPath]),
                                                      input: .none, output: .sequence, error: .discarded) { execution in
                    shared.collected.withLock { $0.pid = execution.processIdentifier.value }
                    for try await buffer in execution.standardOutput {
                        let lines: [String] = buffer.withUnsafeBytes { raw in
                            pending.append(contentsOf: raw)
                            return Self.takeLines(&pending)
                        }
                        guard !lines.isEmpty else { continue }
                        let cursor = lines.last.flatMap(Self.cursor(of:))
                        shared.collected.withLock {
                            $0.lines += lines
                            if let cursor { $0.cursor = cursor }
                        }
                        wake.requestStop()
                    }
                }
                ending = "journalctl ended (\(result.terminationStatus))"
            } catch {
                ending = "journalctl failed: \(error)"
            }
            shared.collected.withLock { $0.ended = ending }
            wake.requestStop()
        }
        shared.task.withLock { $0 = started }
    }

    deinit { stop() }

    /// Ends journalctl.
    public func stop() {
        if let pid = shared.collected.withLock({ $0.pid }) { kill(pid, SIGTERM) }
        shared.task.withLock { $0?.cancel() }
    }

    /// The cursor of the last entry handed out (what a restart continues after).
    public var cursor: String? { shared.collected.withLock { $0.cursor } }

    /// The JSON lines collected since the last call, and a note once if journalctl ended.
    public func readNewLines() -> (lines: [String], notes: [String]) {
        var byte: UInt8 = 0
        while read(wake.readEnd, &byte, 1) > 0 {}
        return shared.collected.withLock { collected in
            let lines = collected.lines
            collected.lines.removeAll()
            var notes: [String] = []
            if let ended = collected.ended, !collected.endReported {
                collected.endReported = true
                notes.append(ended)
            }
            return (lines, notes)
        }
    }

    static func takeLines(_ pending: inout [UInt8]) -> [String] {
        var lines: [String] = []
        var start = 0
        for index in pending.indices where pending[index] == 0x0A {
            lines.append(String(decoding: pending[start..<index], as: UTF8.self))
            start = index + 1
        }
        pending.removeFirst(start)
        return lines
    }

    static func cursor(of line: String) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
        return object["__CURSOR"] as? String
    }
}
