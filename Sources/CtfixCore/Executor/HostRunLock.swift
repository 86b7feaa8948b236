import Foundation

/// One run at a time per host: an flock on `/run/ctfix.lock` (under the root), with the
/// holder's identity written beside it so a second run can say who it is waiting for.
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
            "run \(runID) of \(playbook) (pid \(pid), since \(ISO8601DateFormatter().string(from: since)))"
        }
    }

    public enum Failure: Error, Sendable, CustomStringConvertible {
        case busy(Holder?)
        case io(FileSystemError)

        public var description: String {
            switch self {
            case .busy(let holder?): "another ctfix run holds the host lock: \(holder)"
            case .busy(nil): "another ctfix run holds the host lock \(HostRunLock.lockPath)"
            case .io(let error): "cannot take the host lock: \(error)"
            }
        }
    }

    let fileSystem: any FileSystem

    public init(fileSystem: any FileSystem) {
        self.fileSystem = fileSystem
    }

    /// Takes the lock, waiting up to `wait`, and records the holder. Keep the handle for the
    /// duration of the run.
    public func acquire(as holder: Holder, wait: Duration) throws(Failure) -> any HostLockHandle {
        do {
            try fileSystem.createDirectory(HostPath.parent(of: Self.lockPath))
            guard let handle = try fileSystem.lockExclusively(Self.lockPath, wait: wait) else {
                throw Failure.busy(currentHolder())
            }
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .iso8601
            if let data = try? encoder.encode(holder) {
                try fileSystem.writeAtomically(data, to: Self.holderPath, mode: 0o644)
            }
            return handle
        } catch let error as Failure {
            throw error
        } catch let error as FileSystemError {
            throw .io(error)
        } catch {
            throw .io(FileSystemError(path: Self.lockPath, reason: .io("\(error)")))
        }
    }

    /// The holder as last recorded (it may be stale when nobody holds the lock).
    public func currentHolder() -> Holder? {
        guard let data = try? fileSystem.readFile(Self.holderPath) else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try? decoder.decode(Holder.self, from: data)
    }
}
