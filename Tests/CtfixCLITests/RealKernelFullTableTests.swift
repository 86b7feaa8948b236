import CtfixCore
import Foundation
import Testing

/// The end-to-end test of issue 9: a genuine full table in a namespace on the real kernel.
@Suite(.enabled(if: RealKernel.canUseNamespaces, "needs root, 'ip' and 'nft'"), .serialized)
struct RealKernelFullTableTests {
    @Test func aFullTableInANamespaceDropsAndIsCounted() async throws {
        let originalMax = try FullTableFixture.currentMax()
        try await FullTableFixture.with { table in
            let full = try await table.waitUntilFull()
            #expect(full.held == 100, "held \(full.held)")
            let fs = try RootedFileSystem(root: "/")
            let namespace = try #require(NetNamespaces.discover(in: fs).first { $0.pid == full.pid || !$0.isInitial && $0.processName == "python3" })
            let stat = try KernelStatTable.parse(fs.readText(namespace.procNet + "/stat/nf_conntrack")).get()
            #expect(stat.total("entries") == 100)
            #expect((stat.total("drop") ?? 0) >= 3)
            #expect(try await table.newConnectionGetsThrough() == false)
        }
        #expect(try FullTableFixture.currentMax() == originalMax)
    }
}
