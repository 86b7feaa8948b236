import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A request to stop a run (SIGINT, SIGTERM, SIGHUP, or a test), checked by the executor
/// between primitives so that no file is ever left half-written: the step in progress
/// finishes, then the run ends `interrupted` and applies the playbook's `on_failure` policy.
///
/// The signal handler only stores the signal number and writes one byte to a pipe (both
/// async-signal-safe); prompts `poll` that pipe beside standard input so Ctrl-C at a prompt
/// returns at once, and sleeps are cut into short slices that look at the flag.
public final class Interruption: Sendable {
    private let received = Atomic<Int32>(0)
    /// The read end of the wake-up pipe (non-blocking); -1 when there is none.
    public let wakeDescriptor: Int32
    private let writeDescriptor: Int32

    /// An interruption that only `trigger` can set (tests, contexts without signals).
    public init() {
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) == 0 {
            for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        }
        wakeDescriptor = fds[0]
        writeDescriptor = fds[1]
    }

    deinit {
        if wakeDescriptor >= 0 { close(wakeDescriptor) }
        if writeDescriptor >= 0 { close(writeDescriptor) }
    }

    /// The signal that asked to stop (SIGINT 2, SIGTERM 15, SIGHUP 1; -1 for `trigger()`), or nil.
    public var signal: Int32? {
        var value = received.load(ordering: .acquiring)
        if value == 0, self === Interruption.process { value = processSignal.load(ordering: .acquiring) }
        return value == 0 ? nil : value
    }

    public var isRequested: Bool { signal != nil }

    /// Asks the run to stop (the first request wins) and wakes any prompt.
    public func trigger(_ signal: Int32 = -1) {
        _ = received.compareExchange(expected: 0, desired: signal, ordering: .acquiringAndReleasing)
        if writeDescriptor >= 0 { var byte: UInt8 = 1; _ = write(writeDescriptor, &byte, 1) }
    }

    /// "SIGINT", "SIGTERM", "SIGHUP" or "a stop request".
    public var signalName: String {
        switch signal {
        case SIGINT: "SIGINT"
        case SIGTERM: "SIGTERM"
        case SIGHUP: "SIGHUP"
        default: "a stop request"
        }
    }

    /// Sleeps for `duration` unless a stop is requested first; `tick` is called with the whole
    /// seconds left each time that number changes (for a countdown). False when interrupted.
    public func sleep(for duration: Duration, tick: (Int) -> Void = { _ in }) async -> Bool {
        let clock = ContinuousClock()
        let end = clock.now.advanced(by: duration)
        var shown = -1
        while !isRequested {
            let left = clock.now.duration(to: end)
            if left <= .zero { return true }
            let seconds = Int((Double(left.components.seconds) + Double(left.components.attoseconds) / 1e18).rounded(.up))
            if seconds != shown { shown = seconds; tick(seconds) }
            try? await Task.sleep(for: min(left, .milliseconds(50)))
        }
        return false
    }

    // MARK: The process's signals

    /// The interruption the process's SIGINT, SIGTERM and SIGHUP set once
    /// `catchTerminationSignals()` was called.
    public static let process = Interruption()

    /// Catches SIGINT, SIGTERM and SIGHUP for the rest of the process: they no longer kill it
    /// but set `Interruption.process`. A handler (not SIG_IGN) so that programs ctfix starts
    /// get the default dispositions back at exec. SA_RESTART: no system call fails with EINTR.
    public static func catchTerminationSignals() {
        processWakeDescriptor.store(process.writeDescriptor, ordering: .releasing)
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { sig in
                _ = processSignal.compareExchange(expected: 0, desired: sig, ordering: .acquiringAndReleasing)
                let fd = processWakeDescriptor.load(ordering: .acquiring)
                if fd >= 0 { var byte: UInt8 = 1; _ = write(fd, &byte, 1) }
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            sigaction(sig, &action, nil)
        }
    }
}

/// Set by the signal handler (a C function pointer cannot capture the instance).
private let processSignal = Atomic<Int32>(0)
private let processWakeDescriptor = Atomic<Int32>(-1)
