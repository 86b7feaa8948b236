import ArgumentParser
import CtfixCore

struct Validate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check playbooks for errors; each is printed as file:line:col: error: message.",
        discussion: "Exit status: 0 all valid, 65 a playbook is invalid, 66 a file is missing."
    )

    @Argument(help: "Playbook files.")
    var playbooks: [String]

    @Flag(name: .long, help: "Print JSON instead of text.")
    var json = false

    func run() async throws {
        let ctx = CtfixContext(fileSystem: InMemoryFileSystem())
        let status = ValidateCommand(paths: playbooks, json: json).run(ctx)
        throw status.exitCode
    }
}
