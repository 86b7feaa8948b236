import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Wakes a follower when anything changes in a log file's directory (growth, truncation,
/// rotation by rename or by create), through inotify: no sleep-poll loop. Watching the
/// directory rather than the file keeps working across rotation.
public final class FileChangeNotifier: Sendable {
    /// The inotify descriptor, readable when something changed.
    public let descriptor: Int32

    /// inotify event bits (linux/inotify.h).
    enum Event {
        static let modify: UInt32 = 0x0000_0002
        static let attributes: UInt32 = 0x0000_0004
        static let closeWrite: UInt32 = 0x0000_0008
        static let movedFrom: UInt32 = 0x0000_0040
        static let movedTo: UInt32 = 0x0000_0080
        static let create: UInt32 = 0x0000_0100
        static let delete: UInt32 = 0x0000_0200
        static let followed = modify | attributes | closeWrite | movedFrom | movedTo | create | delete
    }

    /// Nil when inotify is unavailable (the caller then re-reads on a short timer).
    public init?(directory: String) {
        let fd = inotify_init1(Int32(O_NONBLOCK | O_CLOEXEC))
        guard fd >= 0 else { return nil }
        guard inotify_add_watch(fd, directory, Event.followed) >= 0 else {
            close(fd)
            return nil
        }
        descriptor = fd
    }

    deinit { close(descriptor) }

    /// Discards the queued events (the follower re-reads the file whatever they were).
    public func drain() {
        var buffer = [UInt8](repeating: 0, count: 16 << 10)
        while buffer.withUnsafeMutableBytes({ read(descriptor, $0.baseAddress, $0.count) }) > 0 {}
    }
}

/// Why a wait ended.
public enum WatchWake: Sendable, Equatable {
    case changed
    case timedOut
    case stopRequested
}

/// Blocks until one of the descriptors is readable, the timeout passes or a stop is requested.
/// Runs on its own thread so the blocking `poll(2)` never holds a Swift concurrency thread.
enum WatchWait {
    static func wait(for descriptors: [Int32], stop: Int32, timeout: Duration) async -> WatchWake {
        let milliseconds = Int32(clamping: max(0, timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000))
        return await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: blockingWait(for: descriptors, stop: stop, milliseconds: milliseconds))
            }
            thread.start()
        }
    }

    static func blockingWait(for descriptors: [Int32], stop: Int32, milliseconds: Int32) -> WatchWake {
        var fds = ([stop] + descriptors).map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        while true {
            let ready = poll(&fds, nfds_t(fds.count), milliseconds)
            if ready < 0, errno == EINTR { continue }
            if ready <= 0 { return .timedOut }
            if fds[0].revents != 0 { return .stopRequested }
            return .changed
        }
    }
}
