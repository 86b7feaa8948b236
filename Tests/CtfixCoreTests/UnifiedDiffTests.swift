import Testing
@testable import CtfixCore

@Suite struct UnifiedDiffTests {
    @Test func commentingOutOneLineShowsItWithContext() {
        let old = "# header\nIPTABLES_MODULES=\"ip_conntrack_netbios_ns\"\n\nIPTABLES_MODULES_UNLOAD=\"yes\"\n"
        let new = "# header\n#IPTABLES_MODULES=\"ip_conntrack_netbios_ns\"\n\nIPTABLES_MODULES_UNLOAD=\"yes\"\n"
        let diff = UnifiedDiff.make(old: old, new: new, path: "/etc/sysconfig/iptables-config")
        #expect(diff == """
        --- a/etc/sysconfig/iptables-config
        +++ b/etc/sysconfig/iptables-config
        @@ -1,4 +1,4 @@
         # header
        -IPTABLES_MODULES="ip_conntrack_netbios_ns"
        +#IPTABLES_MODULES="ip_conntrack_netbios_ns"
         
         IPTABLES_MODULES_UNLOAD="yes"

        """)
    }

    @Test func creatingAFileDiffsAgainstDevNull() {
        let diff = UnifiedDiff.make(old: nil, new: "net.netfilter.nf_conntrack_max = 65536\n", path: "/etc/sysctl.d/90-ctfix.conf")
        #expect(diff == "--- /dev/null\n+++ b/etc/sysctl.d/90-ctfix.conf\n@@ -0,0 +1,1 @@\n+net.netfilter.nf_conntrack_max = 65536\n")
    }

    @Test func distantChangesMakeTwoHunks() {
        let old = (1...20).map { "line \($0)" }.joined(separator: "\n") + "\n"
        let new = old.replacingOccurrences(of: "line 2\n", with: "line two\n").replacingOccurrences(of: "line 18\n", with: "line eighteen\n")
        let diff = UnifiedDiff.make(old: old, new: new, path: "/etc/x")
        #expect(diff.components(separatedBy: "@@ -").count == 3)
        #expect(diff.contains("@@ -1,5 +1,5 @@"))
        #expect(diff.contains("@@ -15,6 +15,6 @@"))
    }

    @Test func identicalContentHasNoDiff() {
        #expect(UnifiedDiff.make(old: "a\n", new: "a\n", path: "/etc/x").isEmpty)
    }
}
