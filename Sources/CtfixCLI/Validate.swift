import ArgumentParser
import CtfixCore

struct Validate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check playbooks for errors; each is printed as file:line:col: error: message.",
        discussion: """
        Names resolve as for run and check. As root, a playbook run would refuse as untrusted \
        (writable by group or others, or owned by another user, itself or a directory above it) \
        is an error here too. Exit status: 0 all valid, 65 a playbook is invalid or untrusted, \
        66 a file or name is not found.
        """
    )

    @Argument(help: "Playbooks: files, or names found by 'ctfix list'.", completion: .playbooks)
    var playbooks: [String]

    @Flag(name: .long, help: "Print JSON instead of text.")
    var json = false

    @OptionGroup var color: ColorOption

    func run() async throws {
        // Playbook text (summaries, names) is outside text: guarded like every command's output.
        let ctx = color.styled(CtfixContext(fileSystem: InMemoryFileSystem(), output: GuardedOutputSink(StandardOutputSink(), exactStandardOutput: json)), json: json)
        let status = ValidateCommand(paths: playbooks, json: json, locator: PlaybookArgument.locator).run(ctx)
        throw status.exitCode
    }
}
