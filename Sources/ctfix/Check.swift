import ArgumentParser
import CtfixCore

struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Detection only (stub).")
    func run() async throws { throw ExitCode(3) }
}
