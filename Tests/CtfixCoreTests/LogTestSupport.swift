import Foundation
@testable import CtfixCore

/// Real log samples from `Resources/logs`, each starting with `# SOURCE:` lines saying where it
/// was published; `text` drops that header so the rest is the log as it was.
enum LogFixture {
    static func url(_ name: String) throws -> URL {
        guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Resources/logs") else {
            throw FixtureMissing(name: name)
        }
        return url
    }

    static func text(_ name: String) throws -> String {
        let raw = try String(contentsOf: url(name), encoding: .utf8)
        let lines = raw.split(separator: "\n", omittingEmptySubsequences: false)
        return lines.drop { $0.hasPrefix("#") }.joined(separator: "\n")
    }

    struct FixtureMissing: Error { var name: String }
}

/// Builds evaluation contexts for log tests: an in-memory (or real) host, a fixed clock, UTC
/// unless said otherwise, and a scripted command runner.
enum LogTestHost {
    static func date(_ text: String) -> Date {
        guard let date = TimeArgument.parse(text) else { fatalError("bad test date \(text)") }
        return date
    }

    static func context(_ fileSystem: any FileSystem, now: String, commands: any CommandRunner = ScriptedCommandRunner(),
                        timeZone: String = "UTC", isLiveHost: Bool = false, logFiles: [String]? = nil,
                        notBefore: Date? = nil) -> EvaluationContext {
        let host = CtfixContext(fileSystem: fileSystem, clock: FixedClock(date(now)), commands: commands,
                                output: CapturedOutput(), environment: ["TZ": timeZone], isLiveHost: isLiveHost)
        return EvaluationContext(host: host, logFiles: logFiles, notBefore: notBefore)
    }

    static func context(_ files: [String: String], now: String, commands: any CommandRunner = ScriptedCommandRunner(),
                        timeZone: String = "UTC", isLiveHost: Bool = false, logFiles: [String]? = nil) -> EvaluationContext {
        context(InMemoryFileSystem(files), now: now, commands: commands, timeZone: timeZone,
                isLiveHost: isLiveHost, logFiles: logFiles)
    }

    static func pattern(_ source: String = "(ip_conntrack|nf_conntrack): (nf_conntrack: )?table full") -> CompiledPattern {
        // Test patterns are literals known to compile.
        try! CompiledPattern(source)
    }

    /// A scratch directory removed when the test's value is released.
    final class TemporaryDirectory {
        let path: String
        init() throws {
            path = FileManager.default.temporaryDirectory.appendingPathComponent("ctfix-logs-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        func write(_ relative: String, _ contents: String) throws {
            try write(relative, Data(contents.utf8))
        }
        func write(_ relative: String, _ data: Data) throws {
            let url = URL(fileURLWithPath: path + "/" + relative)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: url)
        }
        deinit { try? FileManager.default.removeItem(atPath: path) }
    }
}

extension LogPredicate {
    /// A predicate as a playbook would write it, for tests.
    static func make(_ pattern: String = "(ip_conntrack|nf_conntrack): (nf_conntrack: )?table full", within: String? = nil,
                     minimumCount: Int = 1, sources: [KernelLogSource] = [.automatic]) -> LogPredicate {
        LogPredicate(pattern: LogTestHost.pattern(pattern), within: within.flatMap(DurationText.parse),
                     minimumCount: minimumCount, sources: sources)
    }
}
