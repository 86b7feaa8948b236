import CtfixCore
import Foundation
import Testing

/// Variables a library reads behind ctfix's back must not reach its output: Yams' parser,
/// asked for its default encoding, read `YAMS_DEFAULT_ENCODING` on every parse and printed a
/// line on standard output when it was set, corrupting `run --json` (ctfix now names UTF-8).
@Suite("Environment: the command line")
struct EnvironmentCommandLineTests {
    @Test("YAMS_DEFAULT_ENCODING leaves run --json exact", arguments: ["utf16", "UTF8"])
    func yamsEncodingVariableIsIgnored(_ value: String) async throws {
        let audit = FileManager.default.temporaryDirectory.appendingPathComponent("ctfix-env-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: audit) }
        let argv = ["env", "YAMS_DEFAULT_ENCODING=\(value)", try CtfixBinary.path(), "run", PackagePaths.root.path + "/playbooks/table-full.yaml",
                    "--root", PackagePaths.root.path + "/examples/hosts/ubuntu-table-full", "--dry-run", "--json", "--audit-log", audit]
        let result = try await RealKernel.runner.run(argv, timeout: .seconds(60))
        #expect(result.exitStatus == 0, "\(result.standardError)")
        #expect(!result.standardOutput.contains("YAMS_DEFAULT_ENCODING"))
        #expect(try CtfixBinary.json(result)["mode"] as? String == "dry_run")
    }
}
