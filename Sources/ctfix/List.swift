import ArgumentParser
import CtfixCore
import Foundation

struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the playbooks that can be run by name, and where they are.",
        discussion: "Searched in order: $CTFIX_PLAYBOOKS (colon-separated), /etc/ctfix/playbooks, the installed share directory, the source checkout's playbooks/."
    )

    @Flag(name: .long, help: "Print JSON instead of text.")
    var json = false

    func run() async throws {
        let ctx = CtfixContext(fileSystem: InMemoryFileSystem())
        let locator = PlaybookLocator.standard(environment: ProcessInfo.processInfo.environment)
        throw ListCommand(locator: locator, json: json).run(ctx).exitCode
    }
}

/// Resolves a playbook argument (a path, or a name found in the playbook directories), saying
/// on stderr when the one chosen shadows others.
enum PlaybookArgument {
    static func resolve(_ argument: String) -> String {
        let locator = PlaybookLocator.standard(environment: ProcessInfo.processInfo.environment)
        guard let (path, shadowed) = locator.resolve(argument) else { return argument }
        if path != argument {
            FileHandle.standardError.write(Data("using \(path)\(shadowed.isEmpty ? "" : " (shadows \(shadowed.joined(separator: ", ")))")\n".utf8))
        }
        return path
    }
}
