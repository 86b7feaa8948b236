import Foundation

/// Writes a capture into its directory with plain file writes (the directory is on the
/// reviewer's side, not a host path) and keeps the count of files written.
final class SnapshotWriter {
    let directory: URL
    private(set) var filesWritten = 0

    init(directory: URL) {
        self.directory = directory
    }

    /// Host path → path inside the capture.
    func url(for hostPath: String) -> URL {
        directory.appendingPathComponent(String(hostPath.drop(while: { $0 == "/" })))
    }

    func writeFile(_ data: Data, at hostPath: String) throws {
        let target = url(for: hostPath)
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: target)
        filesWritten += 1
    }

    func makeDirectory(_ hostPath: String) throws {
        try FileManager.default.createDirectory(at: url(for: hostPath), withIntermediateDirectories: true)
    }

    /// Refuses a non-empty directory (a capture never mixes with other files) and creates a
    /// missing one.
    static func prepare(_ path: String) throws(SnapshotError) -> URL {
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw SnapshotError("\(path): exists and is not a directory") }
            let contents = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
            guard contents.isEmpty else {
                throw SnapshotError("\(path): not empty (\(contents.count) entries); a snapshot goes into a new or empty directory")
            }
            return url
        }
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw SnapshotError("\(path): cannot create: \(error.localizedDescription)")
        }
        return url
    }
}

/// Why a snapshot could not be taken.
public struct SnapshotError: Error, Sendable, CustomStringConvertible {
    public var message: String
    init(_ message: String) { self.message = message }
    public var description: String { message }
}
