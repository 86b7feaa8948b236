import Foundation
import Testing
@testable import CtfixCore

@Suite final class PlaybookLocatorTests {
    let base: String
    let local: String
    let shipped: String

    init() throws {
        // A trusted directory: `list` judges trust, and as root a file under /tmp is refused.
        base = try TrustedScratch.directory("ctfix-locator")
        local = base + "/local"
        shipped = base + "/shipped"
        for directory in [local, shipped] {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            chmod(directory, 0o755)
        }
        for name in ["table-full", "alloc-failure"] {
            try TrustedScratch.write(String(contentsOfFile: ExampleHosts.playbookPath(name), encoding: .utf8), to: "\(shipped)/\(name).yaml")
        }
        try TrustedScratch.write(String(contentsOfFile: ExampleHosts.playbookPath("table-full"), encoding: .utf8), to: "\(local)/table-full.yaml")
        try TrustedScratch.write("version: 1\nname: broken\n", to: "\(local)/broken.yaml")
    }

    deinit {
        try? FileManager.default.removeItem(atPath: base)
    }

    var locator: PlaybookLocator {
        PlaybookLocator(directories: [.init(path: local, origin: "CTFIX_PLAYBOOKS"), .init(path: shipped, origin: "checkout")])
    }

    @Test func aNameResolvesToTheFirstDirectoryAndReportsWhatItShadows() throws {
        let hit = try #require(locator.resolve("table-full"))
        #expect(hit.path == "\(local)/table-full.yaml")
        #expect(hit.shadowed == ["\(shipped)/table-full.yaml"])
        #expect(locator.resolve("alloc-failure")?.path == "\(shipped)/alloc-failure.yaml")
        #expect(locator.resolve("nothing-like-this") == nil)
    }

    @Test("a '/' or a .yaml/.yml ending makes a path, used as given and never looked up",
          arguments: ["table-full.yaml", "table-full.yml", "./table-full", "sub/table-full.yaml", "/etc/ctfix/x"])
    func aPathIsUsedAsGiven(argument: String) {
        #expect(PlaybookLocator.isPath(argument))
        #expect(locator.resolve(argument)?.path == argument)
        #expect(locator.resolve(argument)?.shadowed == [])
    }

    @Test func aNameFoundNowhereListsEveryDirectorySearched() {
        let diagnostic = locator.notFound("table-ful")
        #expect(diagnostic.description.hasPrefix("table-ful:1:1: error: no playbook named 'table-ful' in the playbook directories"))
        #expect(diagnostic.message.contains("\(local) (CTFIX_PLAYBOOKS), \(shipped) (checkout)"))
        #expect(diagnostic.message.contains("never looked up in the current directory"))
        #expect(throws: DiagnosticError.self) { try PlaybookLoader.load("table-ful", locator: locator, trust: .unchecked) }
        do {
            _ = try PlaybookLoader.load("table-ful", locator: locator, trust: .unchecked)
        } catch {
            #expect(error.isPlaybookNotFound)
        }
    }

    @Test func loadingANameSaysWhichFileItChose() throws {
        var notes: [String] = []
        let playbook = try PlaybookLoader.load("table-full", locator: locator, trust: TrustedScratch.rootTrust) { notes.append($0) }
        #expect(playbook.path == "\(local)/table-full.yaml")
        #expect(notes == ["using \(local)/table-full.yaml (shadows \(shipped)/table-full.yaml)"])
    }

    @Test func listShowsSummariesShadowsAndInvalidFiles() {
        let entries = locator.list(trust: TrustedScratch.rootTrust)
        #expect(entries.map(\.name) == ["broken", "table-full", "alloc-failure"])
        #expect(entries[0].error?.contains("missing required key 'summary'") == true)
        #expect(entries[1].shadows == ["\(shipped)/table-full.yaml"])
        #expect(entries[2].summary?.contains("never the table size") == true)
        #expect(entries.allSatisfy { $0.refused == nil })
    }
}
