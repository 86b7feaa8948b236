import CtfixCore
import Foundation

/// The built `ctfix` executable, run as a user would run it (optionally inside a namespace).
enum CtfixBinary {
    struct NotBuilt: Error, CustomStringConvertible {
        var description: String {
            "\(PackagePaths.ctfixBinary.path) does not exist: run `swift build` (scripts/test.sh does) before `swift test --skip-build`"
        }
    }

    static func path() throws -> String {
        let path = PackagePaths.ctfixBinary.path
        guard FileManager.default.isExecutableFile(atPath: path) else { throw NotBuilt() }
        return path
    }

    /// Runs `ctfix ARGS…`, inside `namespace` when given. Never hangs: killed after the timeout.
    static func run(_ arguments: [String], in namespace: NetworkNamespace? = nil,
                    timeout: Duration = .seconds(60)) async throws -> CommandResult {
        let argv = [try path()] + arguments
        if let namespace { return try await namespace.attempt(argv, timeout: timeout) }
        return try await RealKernel.runner.run(argv, timeout: timeout)
    }

    /// Decodes `--json` output into a dictionary.
    static func json(_ result: CommandResult) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any] else {
            throw RealKernel.CommandFailed(argv: ["ctfix"], result: result)
        }
        return object
    }
}
