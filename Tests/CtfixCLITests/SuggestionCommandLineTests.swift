import CtfixCore
import Foundation
import Testing

/// Mistyped commands and options, typed at the real binary: a suggestion and exit status 64,
/// never a guess at something far away, never an escape sequence echoed back raw.
struct SuggestionCommandLineTests {
    static let commands = ["run", "check", "validate", "status", "list", "audit", "rollback", "watch", "snapshot", "serve", "version"]

    /// Two typos per command, generated: the second letter dropped, the first two swapped.
    static let typos: [(typed: String, meant: String)] = commands.flatMap { name -> [(String, String)] in
        var chars = Array(name)
        let dropped = String(chars.enumerated().filter { $0.offset != 1 }.map(\.element))
        chars.swapAt(0, 1)
        return [(dropped, name), (String(chars), name)]
    }

    @Test func everyCommandMistypedIsSuggested() async throws {
        for (typed, meant) in Self.typos {
            let result = try await CtfixBinary.run([typed])
            #expect(result.exitStatus == ExitStatus.usage.rawValue, "\(typed)")
            #expect(result.standardError.contains("error: unknown command '\(typed)'. Did you mean '\(meant)'?"), "\(typed): \(result.standardError)")
        }
    }

    @Test(arguments: [
        (["run", "table-full", "--dryrun"], "--dry-run"), (["run", "table-full", "--no-verify-dely"], "--no-verify-delay"),
        (["check", "table-full", "--jsn"], "--json"), (["rollback", "x", "--froce"], "--force"),
        (["status", "--colour", "never"], "--color"), (["run", "table-full", "--allow-destrutive"], "--allow-destructive"),
    ])
    func mistypedOptionsAreSuggested(_ arguments: [String], _ meant: String) async throws {
        let result = try await CtfixBinary.run(arguments)
        if arguments[0] == "check" {
            // A Nagios check that cannot run is UNKNOWN (3) with a line on stdout, whatever went wrong.
            #expect(result.exitStatus == ExitStatus.unknown.rawValue)
            #expect(result.standardOutput.hasPrefix("CTFIX UNKNOWN - unknown option"), "\(result.standardOutput)")
            #expect(result.standardOutput.contains("Did you mean '\(meant)'?"))
        } else {
            #expect(result.exitStatus == ExitStatus.usage.rawValue)
        }
        #expect(result.standardError.contains("Did you mean '\(meant)'?"), "\(arguments): \(result.standardError)")
        #expect(result.standardError.contains("for 'ctfix \(arguments[0])'"))
    }

    @Test func aMistypedCommandUnderJSONIsAnErrorObject() async throws {
        let result = try await CtfixBinary.run(["chek", "table-full", "--json"])
        #expect(result.exitStatus == ExitStatus.usage.rawValue)
        #expect(result.standardOutput.contains("\"exit_status\""), "\(result.standardOutput)")
        #expect(result.standardOutput.contains("Did you mean 'check'?"))
    }

    @Test func aWordFarFromEveryCommandListsThemInsteadOfGuessing() async throws {
        let result = try await CtfixBinary.run(["frobnicate"])
        #expect(result.exitStatus == ExitStatus.usage.rawValue)
        #expect(!result.standardError.contains("Did you mean"))
        #expect(result.standardError.contains("Commands: run, check,"))
    }

    @Test func aSubcommandOfAuditIsSuggestedToo() async throws {
        let result = try await CtfixBinary.run(["audit", "shwo"])
        #expect(result.exitStatus == ExitStatus.usage.rawValue)
        #expect(result.standardError.contains("error: unknown command 'shwo' for 'ctfix audit'. Did you mean 'show'?"), "\(result.standardError)")
    }

    @Test func aHostileWordIsEchoedEscaped() async throws {
        let result = try await CtfixBinary.run(["\u{1B}[2Jrun\r"])
        #expect(result.exitStatus == ExitStatus.usage.rawValue)
        #expect(!result.standardError.contains("\u{1B}") && !result.standardError.contains("\r"))
        #expect(result.standardError.contains("\\x1B[2Jrun\\x0D"), "\(result.standardError)")
    }

    @Test func correctCommandsAreNotIntercepted() async throws {
        #expect(try await CtfixBinary.run(["list"]).exitStatus == 0)
        #expect(try await CtfixBinary.run(["help", "run"]).standardOutput.contains("--dry-run"))
    }

    @Test func versionIsWhatDashDashVersionSaysAndJSONToo() async throws {
        let plain = try await CtfixBinary.run(["version"])
        let flag = try await CtfixBinary.run(["--version"])
        #expect(plain.exitStatus == 0)
        #expect(plain.standardOutput == flag.standardOutput)
        #expect(plain.standardOutput == CtfixVersion.current + "\n")
        let json = try CtfixBinary.json(try await CtfixBinary.run(["version", "--json"]))
        #expect(json["version"] as? String == CtfixVersion.current)
        #expect(Set(json.keys) == ["version", "commit", "swift_version", "build_configuration"])
        #expect(json["commit"] is NSNull || json["commit"] is String)
        #expect(["debug", "release"].contains(json["build_configuration"] as? String ?? ""))
    }
}
