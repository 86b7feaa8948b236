import CtfixCore
import Foundation
import Testing

/// `ctfix serve` refuses to start, with its own exit status and a message naming the place,
/// on everything that can be checked before listening; nothing listens then.
@Suite struct AlertmanagerServeStartupTests {
    let directory: String

    init() throws {
        // Not in /tmp: as root, ctfix refuses a serve config in a mode-1777 directory.
        directory = try TrustedScratch.directory("ctfix-serve-start")
    }

    var playbook: String { PackagePaths.root.appendingPathComponent("playbooks/table-full.yaml").path }

    func write(_ text: String) throws -> String {
        let path = "\(directory)/routes.yaml"
        try TrustedScratch.write(text, to: path)
        return path
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: PackagePaths.ctfixBinary.path), "needs the built ctfix"))
    func withoutAuthItRefusesUnlessToldInsecure() async throws {
        let config = try write("version: 1\nroutes: [{match: {alertname: X}, playbook: \(playbook), mode: dry-run}]\n")
        let result = try await CtfixBinary.run(["serve", "--config", config, "--root", directory, "--listen", "127.0.0.1:1"], timeout: .seconds(30))
        #expect(result.exitStatus == ExitStatus.refused.rawValue)
        #expect(result.standardError.contains("no 'auth' configured; refusing to accept unauthenticated alerts"))
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: PackagePaths.ctfixBinary.path), "needs the built ctfix"))
    func anInvalidConfigIsReportedWithFileLineAndColumn() async throws {
        let config = try write("version: 1\nauth: {bearer_token_fil: token}\nroutes: [{match: {alertname: X}, playbook: \(playbook), mode: now}]\n")
        let result = try await CtfixBinary.run(["serve", "--config", config, "--root", directory], timeout: .seconds(30))
        #expect(result.exitStatus == ExitStatus.invalidInput.rawValue)
        #expect(result.standardError.contains("\(config):2:7: error: auth needs bearer_token_file or basic_auth"))
        #expect(result.standardError.contains("\(config):2:8: error: unknown key 'bearer_token_fil' in 'auth' (did you mean 'bearer_token_file'?)"))
        #expect(result.standardError.contains("\(config):3:") && result.standardError.contains("mode must be dry-run or unattended, found 'now'"))
        let missing = try await CtfixBinary.run(["serve", "--config", "\(directory)/nope.yaml"], timeout: .seconds(30))
        #expect(missing.exitStatus == ExitStatus.noInput.rawValue)
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: PackagePaths.ctfixBinary.path), "needs the built ctfix"))
    func aBadListenAddressIsAUsageError() async throws {
        try "t0ken\n".write(toFile: "\(directory)/token", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: "\(directory)/token")
        let config = try write("version: 1\nauth: {bearer_token_file: token}\nroutes: [{match: {alertname: X}, playbook: \(playbook), mode: dry-run}]\n")
        let result = try await CtfixBinary.run(["serve", "--config", config, "--root", directory, "--listen", "localhost"], timeout: .seconds(30))
        #expect(result.exitStatus == ExitStatus.usage.rawValue)
        #expect(result.standardError.contains("--listen: expected HOST:PORT"))
        try? FileManager.default.removeItem(atPath: directory)
    }
}
