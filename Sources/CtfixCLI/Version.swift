import ArgumentParser
import CtfixCore

/// `ctfix version`: what `ctfix --version` prints; `--json` adds the commit, Swift version and
/// build configuration.
struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Print the version (as --version does); --json adds commit, Swift version and build configuration."
    )

    @Flag(name: .long, help: "Print JSON instead of text.")
    var json = false

    @OptionGroup var color: ColorOption

    func run() throws {
        let ctx = CtfixContext(fileSystem: InMemoryFileSystem(), output: StandardOutputSink())
        throw VersionCommand(json: json).run(ctx).exitCode
    }
}
