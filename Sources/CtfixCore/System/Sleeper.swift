import Foundation
import Synchronization

/// How ctfix waits when a measurement needs time to pass: a counter sampled twice `over:` an
/// interval, a condition that must hold `for:` a duration. Part of `CtfixContext`, so a test
/// scripts time (`ScriptedClock`) instead of sleeping, and an interrupt ends every wait.
public protocol Sleeper: Sendable {
    /// Waits `duration` unless a stop is requested first; `tick` receives the whole seconds
    /// left each time that number changes (for a countdown). False when interrupted.
    func sleep(for duration: Duration, tick: @escaping @Sendable (Int) -> Void) async -> Bool
}

/// The real wait, ended early by the given interruption (the process's signals by default).
public struct InterruptibleSleeper: Sleeper {
    public let interruption: Interruption
    public init(_ interruption: Interruption = .process) { self.interruption = interruption }
    public func sleep(for duration: Duration, tick: @escaping @Sendable (Int) -> Void) async -> Bool {
        await interruption.sleep(for: duration, tick: tick)
    }
}

/// A clock that moves only when ctfix waits on it: `sleep` advances `now` at once (and calls
/// `onSleep` first, so a test can change the host's files "during" the wait). Lets tests
/// script a counter that grows between two samples, or a condition across a `for:` window.
public final class ScriptedClock: HostClock, Sleeper {
    private let state: Mutex<(now: Date, sleeps: [Duration])>
    private let onSleep: @Sendable (Date, Duration) -> Void
    /// Set to make the next waits report an interrupt.
    public let interrupted = Atomic<Bool>(false)

    public init(_ start: Date, onSleep: @escaping @Sendable (_ from: Date, _ duration: Duration) -> Void = { _, _ in }) {
        state = Mutex((start, []))
        self.onSleep = onSleep
    }

    public func now() -> Date { state.withLock { $0.now } }

    /// Every wait asked for, in order.
    public var sleeps: [Duration] { state.withLock { $0.sleeps } }

    /// Moves the clock without a wait (time passing between two invocations).
    public func advance(by duration: Duration) {
        state.withLock { $0.now = $0.now.addingTimeInterval(Self.seconds(duration)) }
    }

    public func sleep(for duration: Duration, tick: @escaping @Sendable (Int) -> Void) async -> Bool {
        if interrupted.load(ordering: .acquiring) { return false }
        let from = now()
        onSleep(from, duration)
        tick(Int(Self.seconds(duration).rounded(.up)))
        state.withLock {
            $0.sleeps.append(duration)
            $0.now = $0.now.addingTimeInterval(Self.seconds(duration))
        }
        return !interrupted.load(ordering: .acquiring)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
