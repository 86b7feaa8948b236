import ArgumentParser
import CtfixCore

struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Detection only (stub).")
    func run() async throws { throw ExitCode(3) }
}
struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Conntrack at a glance (stub).")
    func run() async throws { throw ExitCode(3) }
}
