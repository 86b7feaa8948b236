import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Test-only crash injection, so the kill test can stop a run at *every* audit record and
/// primitive boundary in turn instead of at random moments.
///
/// - `CTFIX_TEST_KILL_AT=N` (1-based): the process sends itself SIGKILL at the N-th kill point
///   it passes — no cleanup, no `defer`, no buffered output, exactly like `kill -9` or a power
///   cut as far as the files are concerned.
/// - `CTFIX_TEST_KILL_TRACE=PATH`: appends one line `N name` to PATH per kill point passed
///   (written before the kill, so the last line names where the process died).
///
/// Unset (production), `pass` is one load of a lazily initialised constant and a branch; the
/// name closure is never evaluated.
public enum KillPoint {
    struct Settings: Sendable {
        var killAt: Int?
        var tracePath: String?
    }

    /// Read once per process; nil when neither variable is set.
    static let settings: Settings? = {
        let killAt = getenv("CTFIX_TEST_KILL_AT").flatMap { Int(String(cString: $0)) }
        let trace = getenv("CTFIX_TEST_KILL_TRACE").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 }
        return killAt == nil && trace == nil ? nil : Settings(killAt: killAt, tracePath: trace)
    }()

    static let passed = Atomic<Int>(0)

    /// Marks a kill point. `name` says where (`audit.appended run_start`, `apply.before setValue …`).
    @inline(__always)
    public static func pass(_ name: @autoclosure () -> String) {
        guard let settings else { return }
        reach(name(), settings)
    }

    static func reach(_ name: String, _ settings: Settings) {
        let number = passed.wrappingAdd(1, ordering: .sequentiallyConsistent).newValue
        if let path = settings.tracePath {
            let line = "\(number) \(name.replacingOccurrences(of: "\n", with: " "))\n"
            let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
            if fd >= 0 {
                _ = line.withCString { write(fd, $0, strlen($0)) }
                close(fd)
            }
        }
        if settings.killAt == number {
            kill(getpid(), SIGKILL)
            // SIGKILL cannot be caught; never go on past the point even for an instant.
            while true { pause() }
        }
    }
}
