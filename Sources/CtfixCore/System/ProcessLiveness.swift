import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether a process id names a live process of this machine: what tells a stale lock holder
/// file or a killed run's temporary file from one that is still in use.
public enum ProcessLiveness {
    /// `kill(pid, 0)`: delivered (or refused with EPERM, another user's process) = alive.
    /// Conservative: a recycled pid counts as alive, so nothing in use is ever taken for stale.
    public static func isAlive(_ pid: Int32) -> Bool {
        guard pid > 0 else { return false }
        if pid == getpid() { return true }
        return kill(pid, 0) == 0 || errno == EPERM
    }
}
