/// Unloads a kernel module (`modprobe -r`) — the last resort for conntrack on a host that must
/// not track connections at all. Destructive: NAT, stateful firewall rules and container
/// networking stop working. The executor refuses, whatever the playbook says, when the module is
/// built into the kernel (no `/sys/module/NAME/refcnt`) or still in use (refcnt above zero, or
/// holders); `force` only overrides the guard that looks for NAT, stateful rules and container
/// networking that depend on it.
public struct ModuleUnloadAction: ActionKind {
    public static let keyword = "module_unload"
    public static let summary = "Unload a kernel module (modprobe -r), guarded: refused for built-in or in-use modules, and when NAT, stateful rules or container networking depend on it unless forced."
    public static let minimumRisk = RiskClass.destructive

    /// Alternatives across kernel eras (`nf_conntrack`, `ip_conntrack`): the first one loaded on
    /// the host is unloaded.
    public var modules: [String]
    /// Skip the dependency guard (NAT / stateful rules / Docker / Kubernetes). Built-in and
    /// in-use modules are refused regardless.
    public var force: Bool

    public init(modules: [String], force: Bool = false) {
        self.modules = modules
        self.force = force
    }

    public static func parse(_ node: YAMLNode, scope: inout ParseScope) -> ModuleUnloadAction? {
        guard let reader = MappingReader(node, "'module_unload'", scope: &scope) else { return nil }
        var modules: [String]?
        if let moduleNode = reader.required("module", scope: &scope) {
            let items: [YAMLNode]
            switch moduleNode.value {
            case .sequence(let list): items = list
            default: items = [moduleNode]
            }
            var names: [String] = []
            if items.isEmpty { scope.error(moduleNode, "module_unload module must not be an empty list") }
            for item in items {
                guard let name = scope.nonEmptyString(item, "module_unload module") else { continue }
                if !KernelModuleName.isValid(name) {
                    scope.error(item, "module_unload module must be a module name (lowercase letters, digits, '_'), found '\(name)'")
                } else if names.contains(name) {
                    scope.error(item, "module_unload module '\(name)' is listed twice")
                } else {
                    names.append(name)
                }
            }
            if names.count == items.count, !names.isEmpty { modules = names }
        }
        let force = reader.optional("force").flatMap { scope.bool($0, "module_unload force") } ?? false
        reader.finish(scope: &scope)
        guard let modules else { return nil }
        return ModuleUnloadAction(modules: modules, force: force)
    }

    public var summaryLine: String {
        let names = modules.count > 1 ? "the first loaded of \(modules.joined(separator: ", "))" : modules.first ?? "(no module)"
        return "unload kernel module \(names)" + (force ? " (forced past the NAT/stateful-rules/containers guard)" : "")
    }

    public static let examples = KindExamples(
        valid: [
            """
            name: unload-conntrack
            explain: Stop tracking connections now; nothing on this host needs it.
            risk: destructive
            module_unload:
              module: [nf_conntrack, ip_conntrack]
            """,
            """
            name: unload-modern
            explain: Modern kernels only.
            risk: destructive
            module_unload: {module: nf_conntrack, force: false}
            """,
            """
            name: unload-despite-nat
            explain: The NAT rules are stale; unload anyway.
            risk: destructive
            allow_unattended: false
            module_unload:
              module: nf_conntrack_ipv4
              force: true
            """,
        ],
        invalid: [
            .init("""
                name: too-gentle
                explain: x
                risk: disruptive
                module_unload:
                  module: nf_conntrack
                """, at: 3, 7, "a module_unload action is at least 'destructive'; declared 'disruptive'"),
            .init("""
                name: path
                explain: x
                risk: destructive
                module_unload:
                  module: /lib/modules/nf_conntrack.ko
                """, at: 5, 11, "module_unload module must be a module name"),
            .init("""
                name: capitals
                explain: x
                risk: destructive
                module_unload:
                  module: [nf_conntrack, IP-Conntrack]
                """, at: 5, 26, "found 'IP-Conntrack'"),
            .init("""
                name: maybe-force
                explain: x
                risk: destructive
                module_unload:
                  module: nf_conntrack
                  force: yes
                """, at: 6, 10, "module_unload force must be true or false"),
            .init("""
                name: nothing
                explain: x
                risk: destructive
                module_unload:
                  module: []
                """, at: 5, 11, "must not be an empty list"),
            .init("""
                name: extra
                explain: x
                risk: destructive
                module_unload:
                  module: nf_conntrack
                  recursive: true
                """, at: 6, 3, "unknown key 'recursive' in 'module_unload'"),
        ]
    )
}
