import ArgumentParser
@testable import CtfixCLI
import CtfixCore
import Foundation
import Testing

/// `DirectCommandLine` reads `run` and `check` command lines without ArgumentParser. It must
/// never accept a command line ArgumentParser refuses, never read a value differently, and know
/// exactly the options ArgumentParser declares; whatever it declines goes to ArgumentParser.
@Suite struct DirectCommandLineTests {
    /// ArgumentParser's own description of a command (`--experimental-dump-help`): its long
    /// option and flag names, the repeatable ones apart.
    static func declared(_ command: any ParsableCommand.Type) throws -> (flags: Set<String>, options: Set<String>, repeatable: Set<String>) {
        let object = try JSONSerialization.jsonObject(with: Data(command._dumpHelp().utf8)) as? [String: Any]
        let arguments = (object?["command"] as? [String: Any])?["arguments"] as? [[String: Any]] ?? []
        var flags: Set<String> = [], options: Set<String> = [], repeatable: Set<String> = []
        for argument in arguments {
            let kind = argument["kind"] as? String
            let names = (argument["names"] as? [[String: Any]] ?? [])
                .filter { $0["kind"] as? String == "long" }.compactMap { $0["name"] as? String }.map { "--" + $0 }
            for name in names where name != "--help" {
                switch kind {
                case "flag": flags.insert(name)
                case "option" where argument["isRepeating"] as? Bool == true: repeatable.insert(name)
                case "option": options.insert(name)
                default: Issue.record("unexpected argument kind \(kind ?? "nil") for \(name)")
                }
            }
        }
        return (flags, options, repeatable)
    }

    @Test(arguments: [(Run.self as any ParsableCommand.Type, Run.directSpec), (Check.self, Check.directSpec)])
    func specNamesExactlyWhatArgumentParserDeclares(_ command: any ParsableCommand.Type, _ spec: DirectCommandLine.Spec) throws {
        let declared = try Self.declared(command)
        #expect(!declared.options.isEmpty)
        #expect(spec.flags == declared.flags)
        #expect(spec.options == declared.options)
        #expect(spec.repeatable == declared.repeatable)
    }

    /// ArgumentParser's reading of `arguments`, as the same plain values, or nil when it refuses
    /// them (or parses them as anything but `run`/`check`, e.g. help).
    static func argumentParser(_ arguments: [String]) -> Words? {
        guard let parsed = try? Ctfix.parseAsRoot(arguments) else { return nil }
        if let run = parsed as? Run { return .run(run.invocation) }
        if let check = parsed as? Check { return .check(check.invocation) }
        return nil
    }

    static func direct(_ arguments: [String]) -> Words? {
        switch DirectCommandLine.invocation(arguments) {
        case let run as Run.Invocation: return .run(run)
        case let check as Check.Invocation: return .check(check)
        case nil: return nil
        default: Issue.record("unknown invocation for \(arguments)"); return nil
        }
    }

    enum Words: Equatable { case run(Run.Invocation), check(Check.Invocation) }

    @Test func readsTheBenchmarkAndHookCommandLines() {
        let run = Self.direct(["run", "table-full", "--root", "examples/hosts/ubuntu-table-full", "--dry-run", "--audit-log", "/dev/shm/a.jsonl"])
        #expect(run == .run(Run.Invocation(playbook: "table-full", host: HostSettings(root: "examples/hosts/ubuntu-table-full", now: nil, json: false, color: .auto),
                                           dryRun: true, auditLog: "/dev/shm/a.jsonl")))
        let hook = Self.direct(["run", "/etc/ctfix/playbooks/table-full.yaml", "--yes", "--json", "--set", "factor=2", "--set", "x=1", "--wait", "+30", "--color", "never"])
        #expect(hook == .run(Run.Invocation(playbook: "/etc/ctfix/playbooks/table-full.yaml", host: HostSettings(root: nil, now: nil, json: true, color: .never),
                                            yes: true, settings: ["factor=2", "x=1"], wait: 30)))
        #expect(hook == Self.argumentParser(["run", "/etc/ctfix/playbooks/table-full.yaml", "--yes", "--json", "--set", "factor=2", "--set", "x=1", "--wait", "+30", "--color", "never"]))
        let check = Self.direct(["check", "table-full", "alloc-failure", "--log", "a.txt", "--now", "@1700000000"])
        #expect(check == .check(Check.Invocation(playbooks: ["table-full", "alloc-failure"], host: HostSettings(root: nil, now: "@1700000000", json: false, color: .auto),
                                                 logFiles: ["a.txt"])))
    }

    @Test(arguments: [
        ["run"], ["run", "a", "b"], ["run", "a", "--dry-run", "--dry-run"], ["run", "a", "--root", "x", "--root", "y"],
        ["run", "a", "--root"], ["run", "a", "--root", "--json"], ["run", "a", "--root=x"], ["run", "a", "--dry-run=true"],
        ["run", "a", "--wait", "soon"], ["run", "a", "--wait", "-1"], ["run", "a", "--color", "sometimes"], ["run", "a", "--help"],
        ["run", "a", "-h"], ["run", "help"], ["run", "a", "--"], ["run", "-"], ["run", ""], ["run", "a", "--set", ""],
        ["run", "a", "--dryrun"], ["run", "a", "--log", "x"], ["check"], ["check", "a", "--dry-run"], ["check", "a", "--generate-completion-script"],
        ["help", "run"], ["--json", "run", "a"], ["validate", "a"], ["run", "a", "--version"],
    ])
    func declinesWhatItDoesNotReadExactly(_ arguments: [String]) {
        #expect(Self.direct(arguments) == nil)
    }

    /// Generated command lines from the commands' own words, near misses and awkward values:
    /// wherever the direct reader accepts one, ArgumentParser accepts it too with the same
    /// values; and the reader does take most command lines automation writes.
    @Test func agreesWithArgumentParserOnGeneratedCommandLines() {
        var random = SplitMix64(seed: 0xC7F1_D1EC)
        let names = Array(Run.directSpec.names.union(Check.directSpec.names)).sorted()
        let nearMisses = ["--dry-run=1", "--root=/x", "--set=a=b", "--Root", "-h", "--help", "--", "-", "--dryrun", "--version",
                          "--generate-completion-script", "-y", "--json=false", "---root", "help", "--experimental-dump-help",
                          // A combining mark makes "-" part of another character; dashes that are not '-'.
                          "--json\u{301}", "-\u{301}-json", "\u{2014}json", "\u{FF0D}\u{FF0D}json", "--dry\u{2011}run"]
        let values = ["table-full", "playbooks/table-full.yaml", "/", "x y", "ü", "a=b", "factor=2", "NAME=VALUE", "5", "+5", "007", "-5",
                      "0x10", "auto", "always", "never", "bogus", "@1700000000", "2024-11-08T08:55:10Z", "", "-x", "--json", "help", "run", "check",
                      "-\u{301}x", "\u{301}", "\u{301}-x", "help\u{301}", "\u{FF15}", "\u{0665}", "5\u{301}", "never\u{301}", "a\u{0}b"]
        var accepted = 0, argumentParserAccepted = 0, cases = 0
        for _ in 0..<2_500 {
            let command = random.pick(["run", "check"])
            let spec = command == "run" ? Run.directSpec : Check.directSpec
            let own = Array(spec.names).sorted()
            // Mostly the command's own options with ordinary values, in any order; now and
            // then anything: the other command's options, near misses, awkward values.
            var items: [[String]] = (0..<random.int(0...3)).map { _ in [random.pick(Array(values.prefix(9)))] }
            for _ in 0..<random.int(0...5) {
                switch random.int(0...9) {
                case 0...4: items.append([random.pick(own), random.pick(values)])
                case 5...6: items.append([random.pick(own)])
                case 7: items.append([random.pick(names), random.pick(values)])
                case 8: items.append([random.pick(nearMisses)])
                default: items.append([random.pick(values)])
                }
            }
            for index in items.indices.reversed() where index > 0 { items.swapAt(index, random.int(0...index)) }
            let arguments = [command] + items.flatMap { $0 }
            cases += 1
            let reference = Self.argumentParser(arguments)
            let direct = Self.direct(arguments)
            if reference != nil { argumentParserAccepted += 1 }
            if let direct {
                accepted += 1
                #expect(direct == reference, "\(arguments)")
            }
        }
        #expect(cases == 2_500)
        // Not vacuous: ArgumentParser takes a good share of the generated lines and the
        // direct reader most of those.
        #expect(argumentParserAccepted > 500, "ArgumentParser accepted \(argumentParserAccepted)")
        #expect(accepted * 2 > argumentParserAccepted, "direct \(accepted), ArgumentParser \(argumentParserAccepted)")
    }
}
