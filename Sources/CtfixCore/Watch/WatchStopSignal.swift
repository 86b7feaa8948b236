import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The write end of the stop pipe, for the signal handler (which may touch nothing else).
nonisolated(unsafe) private var stopPipeWriteEnd: Int32 = -1

/// How a watcher learns it should stop: SIGTERM/SIGINT (or `requestStop()`) write a byte to a
/// pipe whose read end the watcher polls beside its log, so a stop wakes it at once without a
/// sleep loop, and the position is saved before exiting.
public final class WatchStopSignal: Sendable {
    /// Readable once a stop was requested.
    public let readEnd: Int32
    private let writeEnd: Int32

    public init() throws(FileSystemError) {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else {
            throw FileSystemError(path: "pipe", reason: .io(String(cString: strerror(errno))))
        }
        for end in ends {
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        readEnd = ends[0]
        writeEnd = ends[1]
    }

    deinit {
        if stopPipeWriteEnd == writeEnd { stopPipeWriteEnd = -1 }
        close(readEnd)
        close(writeEnd)
    }

    /// Routes SIGTERM and SIGINT of this process to this stop signal.
    public func installSignalHandlers() {
        stopPipeWriteEnd = writeEnd
        for signalNumber in [SIGTERM, SIGINT] {
            signal(signalNumber) { _ in
                var byte: UInt8 = 1
                _ = write(stopPipeWriteEnd, &byte, 1)
            }
        }
    }

    /// Asks the watcher to stop (as a signal would).
    public func requestStop() {
        var byte: UInt8 = 1
        _ = write(writeEnd, &byte, 1)
    }

    /// True once a stop was requested (does not consume it).
    public var isRequested: Bool {
        var descriptor = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) > 0
    }
}
