import Foundation
import Testing
@testable import CtfixCore

/// A root's `ctfix-snapshot.json` and `ctfix-stat-samples.json` come from whoever handed over
/// the snapshot. Malformed, oversized or planted ones must be refused with a message naming
/// the file and the place, without reading past the limits and without blocking.
@Suite struct SnapshotFileReadAttackTests {
    static let manifest = "/ctfix-snapshot.json"
    static let samples = RecordedStatSamples.path

    static func manifestError(_ text: String) throws -> String {
        let fs = InMemoryFileSystem([manifest: text])
        let error = try #require(throws: FileSystemError.self) { try SnapshotManifest.read(from: fs) }
        #expect(error.path == manifest)
        return error.description
    }

    static let good = #""captured_at": "2024-03-14T03:12:40Z", "hostname": "edge-lb-07""#

    @Test("a malformed manifest is an error naming the file and the line and column or the member", arguments: [
        ("{" + good + ",}", "line 1, column 66: not valid JSON"),
        ("{" + good + ",\n \"captured_at\": \"2099-01-01T00:00:00Z\"}", #"line 2, column 2: the key "captured_at" appears twice in one object"#),
        ("{" + good, "line 1, column 65: unexpected end of the text"),
        ("{" + good + "} {}", "line 1, column 67: text after the JSON value"),
        (#"{"captured_at": 5, "hostname": "x"}"#, "captured_at: expected a string, found a number"),
        (#"{"hostname": "x"}"#, "captured_at: missing"),
        (#"{"captured_at": "2024-03-14T03:12:40Z", "hostname": null}"#, "hostname: expected a string, found null"),
        (#"{"captured_at": "2026-02-30T00:00:00Z", "hostname": "x"}"#, #"captured_at: not an ISO 8601 time: "2026-02-30T00:00:00Z""#),
        (#"{"captured_at": "2024-03-14T03:12:40Z", "hostname": "x", "kernel": 6}"#, "kernel: expected a string, found a number"),
        ("[" + good + "]", "line 1, column 15: not valid JSON"),
        (#"["x"]"#, "the file: expected an object, found an array"),
        ("{" + good + ", \"skipped\": " + String(repeating: "[", count: 100_000) + "}", "line 1, column 142: nested more than 64 levels deep"),
        ("{\"captured_at\": 1e400, \"hostname\": \"x\"}", "line 1, column 22: not valid JSON"),
        ("\u{FEFF}\u{FEFF}{" + good + "}", "line 1, column 1: not valid JSON"),
    ])
    func malformedManifest(_ text: String, _ expected: String) throws {
        #expect(try Self.manifestError(text) == "\(Self.manifest): not a valid snapshot manifest: \(expected)")
    }

    @Test("control characters from the file reach the message escaped")
    func hostileTextEscaped() throws {
        let message = try Self.manifestError(#"{"captured_at": "\u001b]0;owned\u0007\u001b[2J", "hostname": "x"}"#)
        #expect(!message.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F })
        #expect(message.contains("captured_at: not an ISO 8601 time"))
    }

    @Test("a sample file's bad member is named by its path")
    func malformedSamples() {
        func failure(_ text: String) -> String? {
            guard case .failure(let error) = RecordedStatSamples.read(from: InMemoryFileSystem([Self.samples: text])) else { return nil }
            return error.message
        }
        let sample = #"{"path": "/proc/net/stat/nf_conntrack", "taken_at": "2024-03-14T03:12:30Z", "text": "x"}"#
        #expect(failure(#"{"samples": [\#(sample), {"path": "/p", "taken_at": 7, "text": ""}]}"#)
            == "\(Self.samples) is not a valid sample file: samples[1].taken_at: expected a string, found a number")
        #expect(failure(#"{"samples": [{"path": "/p", "netns": 18446744073709551615, "taken_at": "2024-03-14T03:12:30Z", "text": ""}]}"#)
            == "\(Self.samples) is not a valid sample file: samples[0].netns: expected a whole number from 0 to 2^53 - 1, found 1.8446744073709552e+19")
        #expect(failure(#"{"samples": [\#(sample)], "samples": []}"#)?.contains(#"the key "samples" appears twice"#) == true)
        let many = "{\"samples\": [" + Array(repeating: sample, count: 65).joined(separator: ",") + "]}"
        #expect(failure(many) == "\(Self.samples) holds 65 samples, more than 64")
    }

    /// Read-only access to a directory root, counting every byte handed out.
    final class CountingFileSystem: FileSystem, @unchecked Sendable {
        let inner: RootedFileSystem
        var bytesRead = 0
        init(_ inner: RootedFileSystem) { self.inner = inner }
        final class Reader: RandomAccessReader {
            let inner: any RandomAccessReader, owner: CountingFileSystem
            init(_ inner: any RandomAccessReader, _ owner: CountingFileSystem) { (self.inner, self.owner) = (inner, owner) }
            var size: Int64 { inner.size }
            func read(at offset: Int64, count: Int) throws(FileSystemError) -> [UInt8] {
                let bytes = try inner.read(at: offset, count: count)
                owner.bytesRead += bytes.count
                return bytes
            }
        }
        var rootDescription: String { inner.rootDescription }
        func readFile(_ path: String) throws(FileSystemError) -> Data {
            let data = try inner.readFile(path)
            bytesRead += data.count
            return data
        }
        func info(_ path: String) throws(FileSystemError) -> FileInfo? { try inner.info(path) }
        func listDirectory(_ path: String) throws(FileSystemError) -> [String] { try inner.listDirectory(path) }
        func openForReading(_ path: String) throws(FileSystemError) -> any RandomAccessReader { Reader(try inner.openForReading(path), self) }
        func realPath(of path: String) -> String? { nil }
        func refuse(_ path: String) -> FileSystemError { FileSystemError(path: path, reason: .permissionDenied) }
        func writeAtomically(_ data: Data, to path: String, mode: Int) throws(FileSystemError) { throw refuse(path) }
        func replaceQuickly(_ data: Data, at path: String) throws(FileSystemError) { throw refuse(path) }
        func writeInPlace(_ data: Data, to path: String) throws(FileSystemError) { throw refuse(path) }
        func appendDurably(_ data: Data, to path: String) throws(FileSystemError) { throw refuse(path) }
        func createDirectory(_ path: String) throws(FileSystemError) { throw refuse(path) }
        func removeFile(_ path: String) throws(FileSystemError) { throw refuse(path) }
        func lockExclusively(_ path: String, wait: Duration) throws(FileSystemError) -> (any HostLockHandle)? { throw refuse(path) }
        func truncateFile(_ path: String, toLength length: Int64) throws(FileSystemError) { throw refuse(path) }
    }

    @Test("an 8 GiB manifest or sample file is refused after reading at most the limit")
    func oversizedFilesAreNotRead() throws {
        let root = try TrustedScratch.directory("ctfix-huge-snapshot")
        defer { try? FileManager.default.removeItem(atPath: root) }
        for path in [Self.manifest, Self.samples] {
            // Sparse: whitespace would be valid JSON padding, zeros cost no disk.
            #expect(FileManager.default.createFile(atPath: root + path, contents: Data("{".utf8)))
            #expect(truncate(root + path, 8 << 30) == 0)
        }
        let fs = CountingFileSystem(try RootedFileSystem(root: root))
        let error = try #require(throws: FileSystemError.self) { try SnapshotManifest.read(from: fs) }
        #expect(error.description == "\(Self.manifest): not a valid snapshot manifest: 8589934592 bytes, more than 1048576")
        #expect(fs.bytesRead == SnapshotManifest.maximumBytes + 1)
        fs.bytesRead = 0
        guard case .failure(let failure) = RecordedStatSamples.read(from: fs) else { Issue.record("an 8 GiB sample file was read"); return }
        #expect(failure.message == "\(Self.samples) is 8589934592 bytes, more than \(RecordedStatSamples.maximumBytes)")
        #expect(fs.bytesRead == RecordedStatSamples.maximumBytes + 1)
    }

    @Test("a FIFO or a directory planted as the manifest is refused without blocking")
    func plantedFilesRefused() throws {
        for plant in ["fifo", "directory"] {
            let root = try TrustedScratch.directory("ctfix-planted-manifest")
            defer { try? FileManager.default.removeItem(atPath: root) }
            for path in [Self.manifest, Self.samples] {
                if plant == "fifo" { #expect(mkfifo(root + path, 0o600) == 0) } else { #expect(mkdir(root + path, 0o755) == 0) }
            }
            let fs = try RootedFileSystem(root: root)
            let error = try #require(throws: FileSystemError.self) { try SnapshotManifest.read(from: fs) }
            #expect(error == FileSystemError(path: Self.manifest, reason: .notAFile), "\(plant)")
            guard case .failure(let failure) = RecordedStatSamples.read(from: fs) else { Issue.record("\(plant) read as samples"); continue }
            #expect(failure.message.contains("not a regular file"), "\(plant)")
            #expect(throws: FileSystemError.self) { try CtfixContext.live(root: root, environment: [:]) }
        }
    }
}
