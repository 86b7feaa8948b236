import Foundation
import Testing
@testable import CtfixCore

/// What the shell completions offer for a playbook argument (`PlaybookCompletion`), and the
/// executable path the playbook search starts from. The shells themselves are driven in
/// CtfixCLITests' PackageTests, against the installed package.
@Suite final class PlaybookCompletionTests {
    let base: String

    init() throws {
        base = try TrustedScratch.directory("ctfix-completion")
        for directory in ["shipped", "local", "work", "work/playbooks", "work/.hidden-dir"] {
            try FileManager.default.createDirectory(atPath: "\(base)/\(directory)", withIntermediateDirectories: true)
        }
        for file in ["shipped/table-full.yaml", "shipped/alloc-failure.yaml", "shipped/.swap.yaml", "shipped/notes.txt",
                     "local/table-full.yml", "local/tail-drops.yaml",
                     "work/mine.yaml", "work/other.yml", "work/README.md", "work/.secret.yaml", "work/playbooks/a.yaml"] {
            try TrustedScratch.write("x", to: "\(base)/\(file)")
        }
    }

    deinit { try? FileManager.default.removeItem(atPath: base) }

    var locator: PlaybookLocator {
        PlaybookLocator(directories: [.init(path: "\(base)/local", origin: "system"), .init(path: "\(base)/shipped", origin: "installed"),
                                      .init(path: "\(base)/missing", origin: "checkout")])
    }

    @Test func namesComeFromEveryDirectoryOnceAndNeverFromOtherFiles() {
        // A missing directory is skipped; a name in two directories is offered once; notes.txt
        // and editor leftovers (.swap.yaml) are not playbooks.
        #expect(PlaybookCompletion.names(locator: locator) == ["alloc-failure", "table-full", "tail-drops"])
        #expect(PlaybookCompletion.candidates(prefix: "ta", locator: locator, currentDirectory: "\(base)/work") == ["table-full", "tail-drops"])
    }

    @Test func aBareWordAlsoOffersPlaybookFilesAndDirectoriesHereButNothingElse() {
        let offered = PlaybookCompletion.candidates(prefix: "", locator: locator, currentDirectory: "\(base)/work")
        #expect(offered == ["alloc-failure", "table-full", "tail-drops", "mine.yaml", "other.yml", "playbooks/"])
        #expect(!offered.contains("README.md"))
        #expect(!offered.contains(".secret.yaml") && !offered.contains(".hidden-dir/"))
    }

    @Test func aPathIsCompletedAsAPathNeverAsAName() {
        // "./t" looks like a path: the shipped table-full is not offered for it.
        #expect(PlaybookCompletion.candidates(prefix: "./", locator: locator, currentDirectory: "\(base)/work") == ["./mine.yaml", "./other.yml", "./playbooks/"])
        #expect(PlaybookCompletion.candidates(prefix: "./t", locator: locator, currentDirectory: "\(base)/work").isEmpty)
        #expect(PlaybookCompletion.candidates(prefix: "playbooks/", locator: locator, currentDirectory: "\(base)/work") == ["playbooks/a.yaml"])
        #expect(PlaybookCompletion.candidates(prefix: "\(base)/work/m", locator: locator) == ["\(base)/work/mine.yaml"])
    }

    @Test func hiddenEntriesOnlyWhenTheTypedWordStartsWithADot() {
        #expect(PlaybookCompletion.paths(prefix: ".", currentDirectory: "\(base)/work") == [".hidden-dir/", ".secret.yaml"])
    }

    @Test func hostileWordsOfferNothingAndDoNotFail() {
        for word in ["../../../../../../nonexistent/", "\u{1B}[2J", "a\nb", String(repeating: "x/", count: 5000), "~nobody/"] {
            #expect(PlaybookCompletion.candidates(prefix: word, locator: locator, currentDirectory: "\(base)/work").isEmpty, "\(word.debugDescription)")
        }
    }

    @Test func filesNamedWithControlCharactersAreNeverOffered() throws {
        // A planted file whose name would draw on the terminal or split into two candidates.
        for name in ["evil\u{1B}]0;owned\u{07}.yaml", "two\nlines.yaml", "c1\u{9B}2J.yaml"] {
            try TrustedScratch.write("x", to: "\(base)/work/\(name)")
            try TrustedScratch.write("x", to: "\(base)/shipped/\(name)")
        }
        let offered = PlaybookCompletion.candidates(prefix: "", locator: locator, currentDirectory: "\(base)/work")
        #expect(offered == ["alloc-failure", "table-full", "tail-drops", "mine.yaml", "other.yml", "playbooks/"])
    }

    @Test func theSearchStartsAtTheRealExecutableNotArgvZero() throws {
        // `ctfix` typed from PATH gives argv[0] "ctfix": the installed playbooks are found
        // relative to the binary's real path, never to the current directory.
        let executable = PlaybookLocator.currentExecutable
        #expect(executable.hasPrefix("/"))
        #expect(executable == (try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")))
        let standard = PlaybookLocator.standard(environment: [:])
        let installed = try #require(standard.directories.first { $0.origin == "installed" })
        let expected = URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent("../share/ctfix/playbooks").standardized.path
        #expect(installed.path == expected)
    }
}
