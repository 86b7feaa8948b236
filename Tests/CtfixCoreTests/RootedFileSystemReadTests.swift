import Foundation
import Testing
@testable import CtfixCore

/// `readFile` reads a regular file in one chunk of its size (plus one byte) and a procfs file
/// (size 0) in 16 KiB chunks into buffers it does not zero first: every byte returned must be a
/// byte of the file, at every size around the chunk boundaries, and nothing past its end.
@Suite struct RootedFileSystemReadTests {
    @Test(arguments: [0, 1, 4095, 4096, 16383, 16384, 16385, 65535, 65536, 65537, 200_003])
    func readsEveryByteOfARegularFile(_ size: Int) throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ctfix-read-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/etc", withIntermediateDirectories: true)
        var random = SystemRandomNumberGenerator()
        // Non-zero bytes, so a zero from an unwritten buffer could not pass for content.
        let content = Data((0..<size).map { _ in UInt8.random(in: 1...255, using: &random) })
        try content.write(to: URL(fileURLWithPath: root + "/etc/file"))
        for walk in [false, true] {
            let fs = try RootedFileSystem(root: root, forceWalk: walk)
            #expect(try fs.readFile("/etc/file") == content)
        }
    }

    /// procfs reports size 0 and hands out its text in pieces: the whole of a large one comes
    /// back (`/proc/self/smaps` of this process is well over 16 KiB; its first line is stable).
    @Test func readsAProcfsFilePastSeveralChunks() throws {
        let fs = try RootedFileSystem(root: "/")
        let viaCtfix = try fs.readFile("/proc/self/smaps")
        #expect(viaCtfix.count > 3 * 16384)
        #expect(!viaCtfix.contains(0))
        let text = String(decoding: viaCtfix, as: UTF8.self)
        #expect(text.hasSuffix("\n"))
        #expect(text.contains("VmFlags:"))
        let reference = try String(contentsOfFile: "/proc/self/smaps", encoding: .utf8)
        #expect(text.split(separator: "\n").first == reference.split(separator: "\n").first)
    }
}
