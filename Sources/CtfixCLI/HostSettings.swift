import ArgumentParser
import CtfixCore
import Foundation

/// What `HostOptions` and `ColorOption` hold, as plain values: the part of a host-reading
/// command's invocation that builds its `CtfixContext`, whether ArgumentParser or
/// `DirectCommandLine` read the command line.
struct HostSettings: Equatable, Sendable {
    var root: String?
    var now: String?
    var json = false
    var color: ColorMode = .auto

    static let flags: Set<String> = ["--json"]
    static let options: Set<String> = ["--root", "--now", "--color"]

    /// The settings `DirectCommandLine` read, or nil when `--color` names no mode (then
    /// ArgumentParser reads the command line and says why).
    init?(_ words: DirectCommandLine.Words) {
        root = words.options["--root"]
        now = words.options["--now"]
        json = words.flags.contains("--json")
        if let text = words.options["--color"] {
            guard let mode = ColorMode(rawValue: text) else { return nil }
            color = mode
        }
    }

    init(root: String?, now: String?, json: Bool, color: ColorMode) {
        self.root = root
        self.now = now
        self.json = json
        self.color = color
    }

    /// `printsJSON`: whether standard output carries JSON and stays exact (nil: `--json`; serve
    /// prints no JSON whatever the flag says, so it passes false).
    /// `environment`: the process's, taken once by the caller (Foundation rebuilds the whole
    /// dictionary from `environ` at every `ProcessInfo.environment`).
    func context(printsJSON: Bool? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> CtfixContext {
        let root = root ?? environment["CTFIX_ROOT"] ?? "/"
        var instant: Date?
        if let now {
            guard let parsed = TimeArgument.parse(now) else {
                throw ValidationError("--now: cannot read '\(now)' as a time; use ISO 8601 (2024-11-08T08:55:10Z) or @EPOCH")
            }
            instant = parsed
        }
        do {
            var ctx = try CtfixContext.live(root: root, now: instant, environment: environment)
            // No control sequence from outside reaches the terminal (JSON on stdout stays exact).
            ctx.output = GuardedOutputSink(ctx.output, exactStandardOutput: printsJSON ?? json)
            return ColorOption.styled(ctx, mode: color, json: printsJSON ?? json, environment: environment)
        } catch {
            throw ValidationError("--root: \(error)")
        }
    }
}
