import Foundation
import Testing
@testable import CtfixCore

/// ReDoS: a pattern and a line chosen so a backtracking engine never finishes. Each test is
/// one way around the cost rule (`CompiledPattern+Cost.swift`): what the analyser refuses at
/// load time, and what it cannot see but the per-match limits still stop. Nothing here times
/// anything: each hostile case must come back with an answer (`overLimit`) at all.
@Suite struct RegexCostAttackTests {
    static let hostileLine = String(repeating: "a", count: 5000) + "b"

    @Test(arguments: [
        "(a+)+$", "(a*)*b", "(\\w+\\s?)+$", "((ab)+c?)*", "(.*a){20}", "(x+x+)+y", "(a|a)*$",
        "(?:a{2,})+$", "(\\d+)+\\.", "(a)\\1", "(?<w>a)\\k<w>", String(repeating: "a", count: 4097),
    ])
    func nestedQuantifiersBackreferencesAndHugePatternsAreRefusedWhenCompiled(_ source: String) {
        do {
            _ = try CompiledPattern(source)
            Issue.record("accepted \(source)")
        } catch {
            #expect(error.isCostRefusal)
        }
    }

    @Test(arguments: [
        "nf_conntrack: (nf_conntrack: )?table full", "(\\d+\\.){3}\\d+", "table full(, dropping packet| in netns [0-9]+)",
        "[\\w\\s]+$", "(?:ip|nf)_conntrack", "^IPTABLES_MODULES=.*conntrack", "a{2,}b", "\\(a+\\)+",
        "[(a+)+]x", "\\Q(a+)+\\E",
    ])
    func ordinaryPatternsAreAccepted(_ source: String) throws {
        _ = try CompiledPattern(source)
    }

    @Test func theRefusalNamesThePatternsPlaceAndTheConstruct() throws {
        let yaml = "log:\n  pattern: '(a+)+$'\n"
        let node = try YAMLDocumentParser.parse(yaml, file: "hostile.yaml")
        var scope = ParseScope(file: "hostile.yaml", parameterNames: [])
        _ = Predicate.parse(node, scope: &scope)
        let problem = try #require(scope.diagnostics.first { $0.severity == .error })
        #expect(problem.line == 2 && problem.column == 12)
        #expect(problem.message.contains("pattern is refused: nested unbounded quantifier `(a+)+` at character 1"))
    }

    /// What the analyser cannot see, in patterns that go to ICU's backtracking engine
    /// (`\z`, lookahead and a loop around an optional are outside ctfix's own subset):
    /// overlapping alternatives, polynomial runs, lookarounds.
    @Test(arguments: ["(a|aa)+\\z", "(?=(a|aa)+$)", "(a|ab|aab)*c\\z", "^(a?){30}a{30}$"])
    func whatTheAnalyserMissesIsStoppedByTheBudget(_ source: String) throws {
        let pattern = try CompiledPattern(source)
        #expect(!pattern.usesOwnEngine)
        #expect(pattern.test(Self.hostileLine) == .overLimit)
        #expect(!pattern.matches(Self.hostileLine))
        #expect(pattern.firstMatch(in: Self.hostileLine) == nil)
    }

    /// The same hostile shapes inside ctfix's own subset: the Pike VM has no backtracking, so
    /// it decides them (no match) instead of giving up at the budget.
    @Test(arguments: ["(a|aa)+$", "(a|ab|aab)*c", "\\w*\\w*\\w*c$", "(?:a|aa)+c", "(a{1,16}b?){16}$"])
    func theOwnEngineDecidesWhatBacktrackingCannot(_ source: String) throws {
        let pattern = try CompiledPattern(source)
        #expect(pattern.usesOwnEngine)
        let result = pattern.test(Self.hostileLine)
        // a debug build on a loaded machine may still reach the budget: never a wrong answer
        #expect(result == .noMatch || result == .overLimit)
        #expect(pattern.firstMatch(in: Self.hostileLine) == nil)
    }

    @Test func textLongerThanTheLimitIsNotMatchedAndSaysSo() throws {
        let pattern = try CompiledPattern("a$")
        #expect(pattern.test(String(repeating: "a", count: CompiledPattern.maximumMatchedBytes)) == .match)
        #expect(pattern.test(String(repeating: "a", count: CompiledPattern.maximumMatchedBytes + 1)) == .overLimit)
    }

    @Test func aHostileLogMakesTheLogPredicateUnknownAfterABoundedNumberOfLines() async {
        let lines = Array(repeating: Self.hostileLine, count: 40).joined(separator: "\n") + "\n"
        let predicate = LogPredicate(pattern: LogTestHost.pattern("(a|aa)+\\z"), sources: [.file("/var/log/kern.log")])
        let result = await predicate.evaluate(in: LogTestHost.context(["/var/log/kern.log": lines], now: "2024-11-08T12:00:00Z"))
        #expect(result.state == .unknown)
        #expect(result.detail.contains("\(CompiledPattern.maximumUndecidedLines) lines beyond the pattern limits"))
        #expect(result.detail.contains("the rest of the source was not matched"))
    }

    @Test func aHostileFileMakesFileMatchesUnknownNotFalse() async throws {
        let fileSystem = InMemoryFileSystem(["/etc/hostile.conf": Self.hostileLine + "\nok\n"])
        let predicate = FileMatchPredicate(path: "/etc/hostile.conf", pattern: try CompiledPattern("(a|aa)+\\z"))
        let result = await predicate.evaluate(in: LogTestHost.context(fileSystem, now: "2024-11-08T12:00:00Z"))
        #expect(result.state == .unknown)
        #expect(result.detail.contains("line 1"))
    }

    /// Routing config `match_re` patterns meet alert labels, which whoever can post to
    /// Alertmanager chooses: the same rule and the same limits apply.
    @Test func alertLabelMatchersAreBoundedToo() throws {
        #expect(throws: CompiledPattern.CompileError.self) { try LabelMatcher.regex("instance", "(a+)+") }
        let overlapping = try LabelMatcher.regex("instance", "(a|aa)+")
        #expect(!overlapping.matches(["instance": Self.hostileLine]))
        #expect(overlapping.matches(["instance": "aaaa"]))
    }

    /// An edit must not be shown (or made) when ctfix cannot tell which lines it touches.
    @Test func fileEditRefusesWhenALineIsBeyondThePatternLimits() async throws {
        let fs = try ExampleHosts.inMemory("centos5-ip-conntrack")
        let original = "alpha=1\n" + Self.hostileLine + "\n"
        fs.set("/etc/example.conf", original)
        let playbook = try PlaybookLoader.parse("""
        version: 1
        name: hostile-edit
        summary: An edit whose pattern meets a hostile line.
        detect:
          file_matches:
            path: /etc/example.conf
            pattern: '^alpha='
        actions:
          - name: alpha
            explain: Comment out lines of a's.
            risk: safe
            file_edit:
              path: /etc/example.conf
              match: '(a|aa)+\\z'
              comment_out: true
        """, file: "test.yaml")
        let manifest = try SnapshotManifest.read(from: fs)
        let ctx = CtfixContext(fileSystem: fs, clock: FixedClock(manifest?.capturedAt ?? Date()), commands: ScriptedCommandRunner(),
                               output: CapturedOutput(), terminal: NoTerminal(), environment: [:], isLiveHost: false)
        var options = RunOptions()
        options.assumeYes = true
        options.skipVerifyDelay = true
        let report = await Executor(ctx: ctx, playbook: playbook, parameters: try playbook.resolveParameters([:]), options: options).run()
        #expect(report.actions.map(\.status) == [.refused])
        #expect(report.actions[0].reason?.contains("line 2 of /etc/example.conf is beyond the pattern limits") == true)
        #expect(try fs.readText("/etc/example.conf") == original)
    }
}
