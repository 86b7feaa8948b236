import CtfixCore
@testable import CtfixFuzzEntries
import Foundation
import Testing

/// Every file of the fuzz corpus (Fuzz/Corpus/TARGET: seeds and the reproducers of every crash
/// fuzzing found) replayed through its target's invariant checker, without fuzzing: a crash
/// fixed once stays fixed. Each target replays in its own `ctfix-fuzz` process, so an input
/// that crashes is reported with its file name and signal instead of ending the test run.
@Suite struct CorpusReplayTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let driver = root.appendingPathComponent(".build/debug/ctfix-fuzz")

    struct Replay {
        var status: Int32
        var signalled: Bool
        var output: String
        /// The input being replayed when the process ended.
        var lastFile: String
    }

    static func files(_ directory: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { !$0.hasPrefix(".") && $0 != "README.md" }.sorted()
    }

    static func replay(_ target: FuzzTarget, _ paths: [String]) throws -> Replay {
        let process = Process()
        process.executableURL = driver
        process.arguments = [target.rawValue] + paths
        process.environment = ProcessInfo.processInfo.environment.merging(["SWIFT_BACKTRACE": "enable=no"]) { $1 }
        // One pipe for both streams: the driver names each file on stderr before replaying it.
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
        let last = lines.last { $0.hasPrefix("replaying ") }.map { String($0.dropFirst(10)) } ?? "?"
        return Replay(status: process.terminationStatus, signalled: process.terminationReason == .uncaughtSignal,
                      output: lines.filter { !$0.hasPrefix("replaying ") }.prefix(40).joined(separator: "\n"), lastFile: last)
    }

    @Test(arguments: FuzzTarget.allCases)
    func everyCorpusFileKeepsEveryInvariant(_ target: FuzzTarget) throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.driver.path),
                     "\(Self.driver.path) is missing: run `swift build` (scripts/test.sh does) before `swift test --skip-build`")
        let directory = Self.root.appendingPathComponent("Fuzz/Corpus/\(target.rawValue)")
        let names = Self.files(directory)
        // Seeds cover every format the target reads (scripts/fuzz-seeds.py writes them).
        #expect(names.count >= 20, "Fuzz/Corpus/\(target.rawValue) holds \(names.count) files")
        let result = try Self.replay(target, [directory.path])
        #expect(!result.signalled, "\(target.rawValue): crashed (signal \(result.status)) on \(result.lastFile)\n\(result.output)")
        #expect(result.status == 0, "\(target.rawValue): exit \(result.status)\n\(result.output)")
        #expect(result.output.contains("replayed \(names.count) files, 0 broke an invariant"), "\(result.output)")
    }

    /// The checkers' own yardsticks attack what they are meant to catch.
    @Test func checkersSeeWhatTheyAreBuiltToSee() throws {
        // A repeated key: Foundation keeps one value, so one member is missing from its result.
        let repeated = Array(#"{"status":"firing","st\u0061tus":"resolved","a":{"b:c":1}}"#.utf8)
        let read = try JSONSerialization.jsonObject(with: Data(repeated))
        #expect(DuplicateKeys.found(in: read, body: repeated))
        let single = Array(#"{"status":"firing","a":{"b:c":1,"d\"":[{"e":2}]}}"#.utf8)
        #expect(!DuplicateKeys.found(in: try JSONSerialization.jsonObject(with: Data(single)), body: single))
        // A diagnostic must point inside the file.
        let text = "version: 1\nname: x\n"
        for (line, column, inside) in [(1, 1, true), (2, 8, true), (3, 1, true), (4, 1, false), (1, 11, true), (1, 12, false), (0, 1, false), (1, 0, false)] {
            #expect(PlaybookFuzzEntry.place(Diagnostic(file: "f", line: line, column: column, message: "m"), in: text) == inside, "\(line):\(column)")
        }
        // A webhook error's `line L, column C` must lie inside the body.
        var violations = Violations()
        WebhookFuzzEntry.checkPlace("line 3, column 1: not valid JSON", Array("{\n}".utf8), &violations)
        WebhookFuzzEntry.checkPlace("line 1, column 9: not valid JSON", Array("{}".utf8), &violations)
        WebhookFuzzEntry.checkPlace("line 2, column 2: not valid JSON", Array("{\n}".utf8), &violations)
        #expect(violations.messages.count == 2, "\(violations.messages)")
        // An accepted alert value that loosens detection is reported.
        var loosened = Violations()
        let ratio = ExpressionFuzzEntry.parameters[0]
        ExpressionFuzzEntry.checkAccepted(ratio, "2", .number(2), "alert value", &loosened)
        ExpressionFuzzEntry.checkAccepted(ratio, "nan", .number(.nan), "alert value", &loosened)
        #expect(loosened.messages.contains { $0.contains(#""2" = 2.0 accepted above the maximum"#) }, "\(loosened.messages)")
        #expect(loosened.messages.contains { $0.contains(#""nan" accepted for ratio as nan"#) }, "\(loosened.messages)")
        // Ordinary inputs keep every invariant.
        #expect(FuzzTarget.webhook.check(Array(#"{"alerts":[1,]}"#.utf8)).isEmpty)
        #expect(FuzzTarget.playbook.check(Array("version: 2\n".utf8)).isEmpty)
        #expect(FuzzTarget.expression.check(Array("max(current * 2, 65536)".utf8)).isEmpty)
        #expect(FuzzTarget.logline.check(Array("Nov  8 08:54:58 host kernel: table full".utf8)).isEmpty)
    }
}
