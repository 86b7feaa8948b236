import Foundation
import Testing
@testable import CtfixCore

@Suite struct PlaybookLocatorTests {
    let local: String
    let shipped: String

    init() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("ctfix-locator-\(UUID().uuidString)").path
        local = base + "/local"
        shipped = base + "/shipped"
        for directory in [local, shipped] { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        for name in ["table-full", "alloc-failure"] {
            try FileManager.default.copyItem(atPath: ExampleHosts.playbookPath(name), toPath: "\(shipped)/\(name).yaml")
        }
        try FileManager.default.copyItem(atPath: ExampleHosts.playbookPath("table-full"), toPath: "\(local)/table-full.yaml")
        try "version: 1\nname: broken\n".write(toFile: "\(local)/broken.yaml", atomically: true, encoding: .utf8)
    }

    var locator: PlaybookLocator {
        PlaybookLocator(directories: [.init(path: local, origin: "CTFIX_PLAYBOOKS"), .init(path: shipped, origin: "checkout")])
    }

    @Test func aNameResolvesToTheFirstDirectoryAndReportsWhatItShadows() throws {
        let hit = try #require(locator.resolve("table-full.yaml"))
        #expect(hit.path == "\(local)/table-full.yaml")
        #expect(hit.shadowed == ["\(shipped)/table-full.yaml"])
        #expect(locator.resolve("alloc-failure")?.path == "\(shipped)/alloc-failure.yaml")
        #expect(locator.resolve("nothing-like-this") == nil)
        #expect(locator.resolve("sub/table-full.yaml") == nil)
    }

    @Test func anExistingPathWins() {
        #expect(locator.resolve(ExampleHosts.playbookPath("unload-conntrack"))?.path == ExampleHosts.playbookPath("unload-conntrack"))
    }

    @Test func listShowsSummariesShadowsAndInvalidFiles() {
        let entries = locator.list()
        #expect(entries.map(\.name) == ["broken", "table-full", "alloc-failure"])
        #expect(entries[0].error?.contains("missing required key 'summary'") == true)
        #expect(entries[1].shadows == ["\(shipped)/table-full.yaml"])
        #expect(entries[2].summary?.contains("never the table size") == true)
    }
}
