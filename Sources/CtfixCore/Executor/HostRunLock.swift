import Foundation

/// One run at a time per host: an flock on `/run/ctfix.lock` (under the root), with the
/// holder's identity written beside it so a second run can say who it is waiting for.
///
/// The holder file lives exactly as long as the lock: the handle removes it when the run
/// releases the lock, whatever path the run ends by. Only a killed run leaves it behind; such a
/// stale file (its pid no longer running) is recognised and said so, never presented as the
/// current holder.
public struct HostRunLock: Sendable {
    public static let lockPath = "/run/ctfix.lock"
    public static let holderPath = "/run/ctfix.lock.holder"

    /// Who holds the lock, as the holder wrote it.
    public struct Holder: Codable, Sendable, Equatable, CustomStringConvertible {
        public var runID: String
        public var pid: Int32
        public var playbook: String
        public var since: Date

        enum CodingKeys: String, CodingKey { case runID = "run_id", pid, playbook, since }

        public init(runID: String, pid: Int32, playbook: String, since: Date) {
            self.runID = runID
            self.pid = pid
            self.playbook = playbook
            self.since = since
        }

        public var description: String {
            "run \(runID) of \(playbook) (pid \(pid), since \(ISO8601Time.rounded(since)))"
        }
    }

    public enum Failure: Error, Sendable, CustomStringConvertible {
        case busy(Holder?)
        /// Busy, and the holder file names a process that no longer runs (left by a killed
        /// run; the real holder has not written its own yet, or runs in another pid namespace).
        case busyStaleHolder(Holder)
        case io(FileSystemError)

        public var description: String {
            switch self {
            case .busy(let holder?): "another ctfix run holds the host lock: \(holder)"
            case .busy(nil): "another ctfix run holds the host lock \(HostRunLock.lockPath)"
            case .busyStaleHolder(let holder):
                "another ctfix run holds the host lock \(HostRunLock.lockPath) (a stale holder file names run \(holder.runID), pid \(holder.pid), which is no longer running)"
            case .io(let error): "cannot take the host lock: \(error)"
            }
        }
    }

    let fileSystem: any FileSystem
    let isAlive: @Sendable (Int32) -> Bool

    public init(fileSystem: any FileSystem, isAlive: @escaping @Sendable (Int32) -> Bool = ProcessLiveness.isAlive) {
        self.fileSystem = fileSystem
        self.isAlive = isAlive
    }

    /// Takes the lock, waiting up to `wait`, and records the holder. Keep the handle for the
    /// duration of the run.
    public func acquire(as holder: Holder, wait: Duration) throws(Failure) -> HostRunLockHandle {
        do {
            try fileSystem.createDirectory(HostPath.parent(of: Self.lockPath))
            guard let handle = try fileSystem.lockExclusively(Self.lockPath, wait: wait) else {
                let named = currentHolder()
                if let named, !isAlive(named.pid) { throw Failure.busyStaleHolder(named) }
                throw Failure.busy(named)
            }
            // We hold the lock, so a holder file still there was left by a killed run.
            let stale = currentHolder()
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = ISO8601Time.encodingStrategy
            if let data = try? encoder.encode(holder) {
                try fileSystem.writeAtomically(data, to: Self.holderPath, mode: 0o644)
            }
            return HostRunLockHandle(lock: handle, fileSystem: fileSystem, runID: holder.runID, staleHolder: stale)
        } catch let error as Failure {
            throw error
        } catch let error as FileSystemError {
            throw .io(error)
        } catch {
            throw .io(FileSystemError(path: Self.lockPath, reason: .io("\(error)")))
        }
    }

    /// Who to name as the holder of a lock found busy: the holder file's run when its process
    /// lives, otherwise the lock itself, with the stale file said to be stale (a killed run's
    /// file is never presented as the holder).
    public func busyHolderText() -> String {
        guard let holder = currentHolder() else { return Self.lockPath }
        guard isAlive(holder.pid) else {
            return "\(Self.lockPath) (a stale holder file names run \(holder.runID), pid \(holder.pid), which is no longer running)"
        }
        return holder.description
    }

    /// The holder file as last written: only a killed run leaves one behind when nobody holds
    /// the lock (check its pid with `ProcessLiveness.isAlive`).
    public func currentHolder() -> Holder? {
        guard let data = try? fileSystem.readFile(Self.holderPath) else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = ISO8601Time.decodingStrategy
        return try? decoder.decode(Holder.self, from: data)
    }
}

/// The host lock of one run. Releasing it (the run's last reference going away, on every path
/// by which a run ends) first removes the holder file if it still names this run, then drops
/// the flock.
public final class HostRunLockHandle: HostLockHandle {
    let lock: any HostLockHandle
    let fileSystem: any FileSystem
    let runID: String
    /// The holder file a killed run had left, found when this run took the lock.
    public let staleHolder: HostRunLock.Holder?

    init(lock: any HostLockHandle, fileSystem: any FileSystem, runID: String, staleHolder: HostRunLock.Holder?) {
        self.lock = lock
        self.fileSystem = fileSystem
        self.runID = runID
        self.staleHolder = staleHolder
    }

    deinit {
        if HostRunLock(fileSystem: fileSystem).currentHolder()?.runID == runID {
            try? fileSystem.removeFile(HostRunLock.holderPath)
        }
    }
}
