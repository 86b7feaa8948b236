import CtfixCore
import Foundation
import Testing

/// The one place colour is decided and drawn (`TerminalStyle`), the waits that show themselves
/// (`WaitNotice`) and "did you mean" (`Suggestion`), attacked with hostile text and generated typos.
struct TerminalStyleTests {
    @Test func colourIsDecidedByModeEnvironmentTerminalAndJSON() {
        func decide(_ mode: ColorMode, _ env: [String: String] = [:], tty: Bool = true, json: Bool = false) -> TerminalStyle {
            TerminalStyle.decide(mode: mode, environment: env, standardOutputIsTerminal: tty, json: json)
        }
        #expect(decide(.auto) == TerminalStyle(colors: true, liveProgress: true))
        #expect(decide(.auto, tty: false) == .plain)
        #expect(decide(.auto, ["NO_COLOR": "1"]) == TerminalStyle(colors: false, liveProgress: true))
        #expect(decide(.auto, ["NO_COLOR": ""]).colors, "an empty NO_COLOR is unset (no-color.org)")
        #expect(decide(.auto, ["TERM": "dumb"]) == .plain, "a dumb terminal has neither colour nor erase-line")
        #expect(!decide(.never).colors)
        #expect(decide(.always, ["NO_COLOR": "1"], tty: false).colors)
        #expect(decide(.always, json: true) == .plain, "JSON is never styled")
    }

    /// Outside text inside a styled piece and a plain piece: every escape in the result is one
    /// of ctfix's own SGR sequences, and the planted ones are shown as `\x1B`.
    @Test func hostileTextInAStyledLineCannotSmuggleAnEscape() {
        let hostile = "\u{1B}]0;owned\u{07}\u{1B}[2J\u{9B}31m\r\u{202E}"
        let text: StyledText = "label \(hostile, .bad) and \(hostile) \("ok", .good)"
        let rendered = TerminalStyle(colors: true, liveProgress: true).render(text)
        let own = ["\u{1B}[0m", "\u{1B}[1;31m", "\u{1B}[32m"]
        var stripped = rendered
        for sequence in own { stripped = stripped.replacingOccurrences(of: sequence, with: "") }
        #expect(!stripped.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || $0.value == 0x202E }, "\(rendered)")
        #expect(stripped.contains("\\x1B]0;owned\\x07\\x1B[2J\\x9B31m\\x0D\\u{202E}"))
        #expect(TerminalStyle.plain.render(text) == text.plain)
    }

    /// `show` through the guarding sink: coloured or not, nothing from outside gets through raw.
    @Test func showGoesThroughTheGuardEitherWay() {
        for colors in [true, false] {
            let captured = CapturedOutput()
            var ctx = CtfixContext(fileSystem: InMemoryFileSystem(), output: GuardedOutputSink(captured, exactStandardOutput: false))
            ctx.style = TerminalStyle(colors: colors, liveProgress: false)
            ctx.showLine("state \("\u{1B}[2Jfiring", .bad)")
            let out = captured.standardOutput
            #expect(out.contains("\\x1B[2Jfiring"), "\(out)")
            #expect(out.contains("\u{1B}[1;31m") == colors)
            #expect(!out.contains("\u{1B}[2J"))
        }
    }

    @Test func aLineWaitIsSaidOnceOnStandardErrorAndALiveOneIsErased() async {
        let clock = ScriptedClock(Date(timeIntervalSince1970: 0))
        for notice in [WaitNotice.silent, .line, .live] {
            let output = CapturedOutput()
            let waited = await notice.wait(.seconds(10), output: output, line: "before verifying", live: { "verifying in \($0) s…" }) {
                await clock.sleep(for: $0, tick: $1)
            }
            #expect(waited)
            switch notice {
            case .silent:
                #expect(output.standardOutput.isEmpty && output.standardError.isEmpty)
            case .line:
                #expect(output.standardError == "waiting 10 s before verifying (Ctrl-C to stop)\n")
                #expect(output.standardOutput.isEmpty)
            case .live:
                #expect(output.standardOutput.contains("verifying in 10 s… (Ctrl-C to stop)"))
                #expect(output.standardOutput.hasSuffix("\r\u{1B}[K"))
            }
        }
    }

    @Test func anInterruptedWaitSaysSo() async {
        let clock = ScriptedClock(Date(timeIntervalSince1970: 0))
        clock.interrupted.store(true, ordering: .releasing)
        let waited = await WaitNotice.line.wait(.seconds(5), output: CapturedOutput(), line: "x", live: { "\($0)" }) {
            await clock.sleep(for: $0, tick: $1)
        }
        #expect(!waited)
    }

    /// `--wait` for another run's host lock says once whom it waits for and how long at most.
    @Test func waitingForTheHostLockIsAnnounced() async throws {
        let fs = try ExampleHosts.inMemory("centos5-ip-conntrack")
        let holder = HostRunLock.Holder(runID: "other-run", pid: 4242, playbook: "alloc-failure", since: Date())
        let lock = try HostRunLock(fileSystem: fs).acquire(as: holder, wait: .zero)
        let interruption = Interruption()
        interruption.trigger(SIGINT)
        let output = CapturedOutput()
        let ctx = CtfixContext(fileSystem: fs, clock: FixedClock(Date()), output: output, environment: [:])
        var options = RunOptions()
        options.assumeYes = true
        options.lockWait = .seconds(90)
        options.interruption = interruption
        let playbook = try PlaybookLoader.parse(try String(contentsOfFile: ExampleHosts.playbookPath("table-full"), encoding: .utf8), file: "t.yaml")
        let report = await Executor(ctx: ctx, playbook: playbook, parameters: try playbook.resolveParameters([:]), options: options).run()
        #expect(report.outcome == .interrupted)
        let said = output.standardError.split(separator: "\n").filter { $0.hasPrefix("waiting up to 90 s for the host lock (--wait): ") }
        #expect(said.count == 1, "\(output.standardError)")
        #expect(said.first?.contains("other-run") == true)
        withExtendedLifetime(lock) {}
    }

    static let commands = ["run", "check", "validate", "status", "list", "audit", "rollback", "watch", "snapshot", "serve", "version",
                           "--dry-run", "--yes", "--force", "--allow-destructive", "--set", "--audit-log", "--wait",
                           "--no-verify-delay", "--root", "--now", "--json", "--color"]

    /// Every one-edit typo of every candidate (deletion, adjacent swap, substitution,
    /// insertion): the suggestion is the word meant, or nothing when another candidate is as near
    /// — never a candidate farther than the nearest.
    @Test func generatedTyposSuggestTheNearestWordOrNothing() {
        var checked = 0
        var suggested = 0
        for word in Self.commands {
            let chars = Array(word)
            var typos: Set<String> = []
            for i in chars.indices where chars[i] != "-" {
                typos.insert(String(chars[..<i] + chars[(i + 1)...]))
                typos.insert(String(chars[..<i] + ["q"] + chars[(i + 1)...]))
                typos.insert(String(chars[..<i] + ["z"] + chars[i...]))
                if i + 1 < chars.count, chars[i + 1] != "-" {
                    var swapped = chars
                    swapped.swapAt(i, i + 1)
                    typos.insert(String(swapped))
                }
            }
            for typo in typos where !Self.commands.contains(typo) {
                checked += 1
                let nearest = Self.commands.map { Suggestion.editDistance(typo, $0) }.min() ?? 0
                guard let guess = Suggestion.closest(to: typo, among: Self.commands) else { continue }
                suggested += 1
                let isPrefix = guess.hasPrefix(typo)
                #expect(isPrefix || Suggestion.editDistance(typo, guess) == nearest, "\(typo) → \(guess)")
                #expect(isPrefix || Self.commands.filter { Suggestion.editDistance(typo, $0) == nearest }.count == 1, "\(typo) → \(guess) is a tie")
                if !isPrefix, Suggestion.editDistance(typo, word) == nearest { #expect(guess == word, "\(typo)") }
            }
        }
        #expect(checked > 500)
        #expect(suggested * 10 > checked * 8, "most one-edit typos get a suggestion (\(suggested) of \(checked))")
    }

    @Test func farWordsAndExactWordsGetNoSuggestion() {
        #expect(Suggestion.closest(to: "frobnicate", among: Self.commands) == nil)
        #expect(Suggestion.closest(to: "x", among: Self.commands) == nil)
        #expect(Suggestion.closest(to: "run", among: Self.commands) == nil)
        #expect(Suggestion.closest(to: "chek", among: Self.commands) == "check")
        #expect(Suggestion.closest(to: "stauts", among: Self.commands) == "status")
        #expect(Suggestion.closest(to: "--dryrun", among: Self.commands) == "--dry-run")
        #expect(Suggestion.closest(to: "val", among: Self.commands) == "validate")
        #expect(Suggestion.editDistance("ca", "abc") == 3)
    }
}
