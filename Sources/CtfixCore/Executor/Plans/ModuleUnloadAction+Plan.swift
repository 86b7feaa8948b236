import Foundation

extension ModuleUnloadAction: PlannableAction {
    /// `modprobe -r MODULE` for the first listed module that is loaded, refused when it is built
    /// in, in use, or (unless forced) relied on by NAT, stateful rules or container networking.
    public func plan(in context: PlanContext) async -> ActionPlan {
        let fs = context.fileSystem
        guard let module = modules.first(where: { fs.exists("/sys/module/\($0)") }) else {
            return .noChange("none of \(modules.joined(separator: ", ")) is loaded")
        }
        let directory = "/sys/module/\(module)"
        guard fs.exists("\(directory)/refcnt") else {
            return .refused("\(module) is built into this kernel (no \(directory)/refcnt): it cannot be unloaded; keep it from tracking with nftables 'notrack' rules instead")
        }
        let holders = (try? fs.listDirectory("\(directory)/holders")) ?? []
        if !holders.isEmpty {
            return .refused("\(module) is used by \(holders.joined(separator: ", ")) (\(directory)/holders); those modules would have to go first")
        }
        let refcnt = (try? fs.readText("\(directory)/refcnt")).flatMap { Int($0.trimmed(.whitespacesAndNewlines)) } ?? 0
        if refcnt > 0 {
            return .refused("\(module) is in use (refcnt \(refcnt)): iptables/nftables rules or helpers still reference it")
        }
        let dependents = Self.dependents(fs)
        if !dependents.isEmpty, !force {
            return .refused("unloading \(module) would break: \(dependents.joined(separator: "; ")) (set force: true in the playbook to override)")
        }
        var notes: [String] = []
        if !dependents.isEmpty { notes.append("forced although: \(dependents.joined(separator: "; "))") }
        return ActionPlan(status: .ready, steps: [.runCommand(argv: ["modprobe", "-r", module], timeoutSeconds: 60, environment: [:])], notes: notes)
    }

    /// What on this host depends on connection tracking.
    static func dependents(_ fs: any FileSystem) -> [String] {
        var found: [String] = []
        for module in ["nf_nat", "iptable_nat", "nft_chain_nat", "xt_conntrack", "xt_state", "nft_ct"] where fs.exists("/sys/module/\(module)") {
            found.append("\(module) is loaded (NAT or stateful rules)")
        }
        if let tables = try? fs.readText("/proc/net/ip_tables_names"), tables.split(separator: "\n").contains("nat") {
            found.append("an iptables nat table exists")
        }
        if fs.exists("/run/docker.sock") || fs.exists("/var/run/docker.sock") { found.append("Docker is running (its networking uses NAT)") }
        if fs.exists("/var/lib/kubelet") { found.append("this is a Kubernetes node (kube-proxy and CNI need conntrack)") }
        return found
    }
}
