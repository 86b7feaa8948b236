import Foundation
import Testing
@testable import CtfixCore

/// Namespace discovery through the file-system boundary: a fake root describes processes and
/// their `ns/net` links, the live `/proc` finds a namespace this test makes.
@Suite struct NetNamespaceDiscoveryTests {
    @Test func groupsProcessesByNamespaceAndNamesTheLowestPid() {
        let fs = InMemoryFileSystem(["/proc/1/comm": "systemd\n", "/proc/4242/comm": "nginx\n", "/proc/4300/comm": "worker\n",
                                     "/proc/net/stat/nf_conntrack": "entries\n00000000\n"])
        fs.setLink("/proc/1/ns/net", "net:[4026531840]")
        fs.setLink("/proc/4300/ns/net", "net:[4026532177]")
        fs.setLink("/proc/4242/ns/net", "net:[4026532177]")
        fs.setLink("/proc/77/ns/net", "mnt:[4026531841]")
        fs.setLink("/proc/self/ns/net", "net:[4026531840]")
        let found = NetNamespaces.discover(in: fs)
        #expect(found.map(\.id) == [4026531840, 4026532177])
        #expect(found[0].isInitial && found[0].procNet == "/proc/net")
        #expect(found[1].pid == 4242 && found[1].processName == "nginx" && found[1].processCount == 2)
        #expect(found[1].procNet == "/proc/4242/net")
        #expect(found[1].displayName == "netns 4026532177 (pid 4242 nginx)")
        #expect(NetNamespaces.own(in: fs) == 4026531840)
    }

    @Test func theFixedInitialInodeWinsOverPidOne() {
        let fs = InMemoryFileSystem([:])
        fs.setLink("/proc/1/ns/net", "net:[4026532500]")
        fs.setLink("/proc/1/ns/net", "net:[4026532500]")
        fs.setLink("/proc/300/ns/net", "net:[\(NetNamespaces.fixedInitialID)]")
        fs.setLink("/proc/self/ns/net", "net:[4026532500]")
        let found = NetNamespaces.discover(in: fs)
        #expect(found.first?.id == NetNamespaces.fixedInitialID && found.first?.isInitial == true)
        #expect(found.filter(\.isInitial).count == 1)
        #expect(NetNamespaces.runsInInitialNamespace(fs) == false)
    }

    @Test func ownNamespaceIsInitialWhenTheGlobalMaxKeyExists() {
        let fs = InMemoryFileSystem(["/proc/sys/net/nf_conntrack_max": "65536\n"])
        fs.setLink("/proc/self/ns/net", "net:[4026531992]")
        fs.setLink("/proc/5/ns/net", "net:[4026531992]")
        #expect(NetNamespaces.runsInInitialNamespace(fs) == true)
        let inside = InMemoryFileSystem(["/proc/sys/net/netfilter/nf_conntrack_max": "65536\n"])
        inside.setLink("/proc/self/ns/net", "net:[4026532999]")
        inside.setLink("/proc/1/ns/net", "net:[4026531992]")
        #expect(NetNamespaces.runsInInitialNamespace(inside) == false)
    }

    @Test func aRootWithoutProcessesHasOnlyTheInitialNamespace() {
        let fs = InMemoryFileSystem(["/proc/net/stat/nf_conntrack": "entries\n00000000\n"])
        let found = NetNamespaces.discover(in: fs)
        #expect(found.count == 1 && found[0].isInitial && found[0].procNet == "/proc/net")
    }

    @Test(arguments: ["net:[]", "net:[x]", "net:[-1]", "net:4026531840", "mnt:[4026531840]", "net:[99999999999999999999999]", ""])
    func malformedLinksAreNotNamespaces(_ text: String) {
        #expect(NetNamespaces.id(fromLink: text) == nil)
    }

    @Test func anEscapeSequenceInAProcessNameIsShownEscaped() {
        let fs = InMemoryFileSystem(["/proc/9/comm": "evil\u{1B}]0;owned\u{07}\n"])
        fs.setLink("/proc/1/ns/net", "net:[1]")
        fs.setLink("/proc/9/ns/net", "net:[2]")
        let found = NetNamespaces.discover(in: fs)
        #expect(found.count == 2)
        #expect(!found[1].displayName.contains("\u{1B}"))
    }

    @Test func findsALiveNamespaceThroughTheRootBoundary() async throws {
        guard getuid() == 0, FileManager.default.fileExists(atPath: "/usr/sbin/ip") || FileManager.default.fileExists(atPath: "/sbin/ip") else { return }
        let name = "ctfix-disc-\(getpid())"
        let ip = FileManager.default.fileExists(atPath: "/usr/sbin/ip") ? "/usr/sbin/ip" : "/sbin/ip"
        #expect(Self.shell(ip, ["netns", "add", name]) == 0)
        defer { _ = Self.shell(ip, ["netns", "delete", name]) }
        let sleeper = Process()
        sleeper.executableURL = URL(fileURLWithPath: ip)
        sleeper.arguments = ["netns", "exec", name, "sleep", "30"]
        try sleeper.run()
        defer { kill(sleeper.processIdentifier, SIGKILL); sleeper.waitUntilExit() }
        let fs = try RootedFileSystem(root: "/")
        var found: [NetNamespace] = []
        for _ in 0..<100 {
            found = NetNamespaces.discover(in: fs)
            if found.contains(where: { !$0.isInitial && $0.processName == "sleep" }) { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        let mine = try #require(found.first { !$0.isInitial && $0.processName == "sleep" })
        let expected = try FileManager.default.attributesOfItem(atPath: "/run/netns/\(name)")[.systemFileNumber] as? UInt64
        #expect(mine.id == expected)
        #expect(found.first?.isInitial == true)
        #expect(NetNamespaces.own(in: fs) == found.first?.id)
        #expect(NetNamespaces.runsInInitialNamespace(fs) == true)
        let table = try KernelStatTable.parse(fs.readText(mine.procNet + "/stat/nf_conntrack")).get()
        #expect(table.total("entries") == 0)
    }

    static func shell(_ tool: String, _ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        do { try process.run() } catch { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }
}

/// `status`'s namespace list on a fake root: each namespace's own count against the global
/// max, drops since boot, a hostile process name escaped, an unreadable file said.
@Suite struct NamespaceStatusTests {
    @Test func statusListsEveryNamespaceWithItsCountAndDrops() async throws {
        let header = KernelStatTableTests.header
        let fs = InMemoryFileSystem([
            "/proc/net/stat/nf_conntrack": header + "\n" + KernelStatTableTests.row(entries: 3, drop: 1) + "\n",
            "/proc/4242/net/stat/nf_conntrack": header + "\n" + KernelStatTableTests.row(entries: 100, drop: 40, earlyDrop: 2) + "\n"
                + KernelStatTableTests.row(entries: 100, drop: 17) + "\n",
            "/proc/4242/comm": "evil\u{1B}[2Jname\n",
            "/proc/77/net/stat/nf_conntrack": "garbage\n",
            "/proc/sys/net/netfilter/nf_conntrack_max": "100\n", "/proc/sys/net/netfilter/nf_conntrack_count": "3\n",
        ])
        fs.setLink("/proc/self/ns/net", "net:[4026531833]")
        fs.setLink("/proc/1/ns/net", "net:[4026531833]")
        fs.setLink("/proc/4242/ns/net", "net:[4026532177]")
        fs.setLink("/proc/77/ns/net", "net:[4026532300]")
        let output = CapturedOutput()
        let ctx = CtfixContext(fileSystem: fs, output: output)
        _ = await StatusCommand(recentEvents: { _ in [] }).run(ctx)
        let text = output.standardOutput
        #expect(text.contains("initial netns 4026531833: 3 entries (3% of max); since boot: 1 dropped"), "\(text)")
        #expect(text.contains("netns 4026532177 (pid 4242 evil\\x1B[2Jname): 100 entries (100% of max); since boot: 57 dropped, 2 early-dropped"), "\(text)")
        #expect(text.contains("netns 4026532300 (pid 77): /proc/77/net/stat/nf_conntrack:2: no CPU rows"), "\(text)")
        #expect(!text.contains("\u{1B}"))
        let json = CapturedOutput()
        _ = await StatusCommand(json: true, recentEvents: { _ in [] }).run(CtfixContext(fileSystem: fs, output: json))
        let decoded = try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any]
        let namespaces = try #require(decoded?["namespaces"] as? [[String: Any]])
        #expect(namespaces.count == 3)
        #expect((namespaces[1]["entries"] as? NSNumber)?.intValue == 100)
        #expect((namespaces[1]["usage"] as? NSNumber)?.doubleValue == 1)
    }
}
