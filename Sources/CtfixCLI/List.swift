import ArgumentParser
import CtfixCore
import Foundation

struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the playbooks that can be run by name, and where they are.",
        discussion: """
        Searched in order: $CTFIX_PLAYBOOKS (colon-separated), /etc/ctfix/playbooks, the installed \
        share directory, the source checkout's playbooks/. Never the current directory. As root, a \
        playbook writable by group or others, or owned by another user (itself or a directory above \
        it), is listed as refused, with the fix.
        """
    )

    @Flag(name: .long, help: "Print JSON instead of text.")
    var json = false

    @OptionGroup var color: ColorOption

    func run() async throws {
        // Playbook text (summaries, names) is outside text: guarded like every command's output.
        let ctx = color.styled(CtfixContext(fileSystem: InMemoryFileSystem(), output: GuardedOutputSink(StandardOutputSink(), exactStandardOutput: json)), json: json)
        let locator = PlaybookLocator.standard(environment: ProcessInfo.processInfo.environment)
        throw ListCommand(locator: locator, json: json).run(ctx).exitCode
    }
}

/// Where playbook arguments that are names (no `/`, no `.yaml`/`.yml`) are looked up; the
/// commands resolve them (never in the current directory) and judge the file's trust.
enum PlaybookArgument {
    static var locator: PlaybookLocator { PlaybookLocator.standard(environment: ProcessInfo.processInfo.environment) }
}

extension CompletionKind {
    /// A playbook argument: the names `ctfix list` finds, playbook files and directories
    /// (`PlaybookCompletion`), asked of the binary by the generated bash, zsh and fish scripts.
    static var playbooks: CompletionKind {
        .custom { _, _, prefix in PlaybookCompletion.candidates(prefix: prefix, locator: PlaybookArgument.locator) }
    }
}
