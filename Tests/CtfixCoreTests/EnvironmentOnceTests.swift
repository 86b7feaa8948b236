import Foundation
import Testing
@testable import CtfixCore

/// The process environment is taken once per invocation and passed in the context
/// (`ProcessInfo.processInfo.environment` builds a dictionary from `environ` on every call):
/// what used to read the dictionary again reads the context, or one variable with getenv(3).
@Suite struct EnvironmentOnceTests {
    @Test("getenv(3) of one name sees what the environment dictionary saw, for every variable of this process and absent ones")
    func getenvMatchesTheDictionary() {
        let dictionary = ProcessInfo.processInfo.environment
        #expect(!dictionary.isEmpty)
        for (name, value) in dictionary where !name.isEmpty {
            #expect(getenv(name).map { String(cString: $0) } == value, "\(name)")
        }
        for name in ["CTFIX_NO_SUCH_VARIABLE_\(getpid())", "ctfix_force_walk"] where dictionary[name] == nil {
            #expect(getenv(name) == nil)
        }
        // The forced walk is exactly "1", as the dictionary lookup compared it.
        for value: String? in [nil, "", "0", "1", " 1", "1\n", "true", "yes"] {
            #expect(RootedFileSystem.walkForced(value) == (value == "1"), "\(String(describing: value))")
        }
    }

    @Test("a live context's file system walks exactly when its environment says CTFIX_FORCE_WALK=1")
    func liveContextTakesForceWalkFromItsEnvironment() throws {
        let root = try TrustedScratch.directory("ctfix-env-once")
        defer { try? FileManager.default.removeItem(atPath: root) }
        func resolution(_ environment: [String: String]) throws -> PathResolution? {
            (try CtfixContext.live(root: root, environment: environment).fileSystem as? RootedFileSystem)?.resolution
        }
        #expect(try resolution(["CTFIX_FORCE_WALK": "1"]) == .walk)
        let kernel = try RootedFileSystem(root: root, forceWalk: false).resolution
        for value in ["0", "", "yes"] { #expect(try resolution(["CTFIX_FORCE_WALK": value]) == kernel) }
        #expect(try resolution([:]) == kernel)
    }

    @Test("run and check judge a playbook for the invoking user named by the context's SUDO_UID",
          .enabled(if: geteuid() == 0, "chown needs root"))
    func trustTakesSudoUIDFromTheContext() async throws {
        let directory = try TrustedScratch.directory("ctfix-env-sudo")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/mine.yaml"
        try TrustedScratch.write(String(contentsOfFile: ExampleHosts.playbookPath("table-full"), encoding: .utf8), to: file)
        #expect(chown(file, 65534, 65534) == 0)
        for (environment, trusted) in [(["SUDO_UID": "65534"], true), ([:], false), (["SUDO_UID": "65533"], false)] {
            let output = CapturedOutput()
            var ctx = try ExampleHosts.context(try ExampleHosts.inMemory("ubuntu-table-full"), output: output)
            ctx.environment = environment
            var options = RunOptions()
            options.dryRun = true
            let status = await RunCommand(path: file, options: options).run(ctx)
            #expect((status != .invalidInput) == trusted, "\(environment): \(status) \(output.standardError)")
            #expect(output.standardError.contains("untrusted playbook:") != trusted, "\(environment)")
            let check = await CheckCommand(paths: [file]).run(ctx)
            #expect((check != .unknown) == trusted, "\(environment): \(check)")
        }
    }
}
