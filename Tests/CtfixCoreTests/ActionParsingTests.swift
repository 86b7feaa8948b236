import Testing
@testable import CtfixCore

/// What each action kind reads into its public properties (the executor plans from these), its
/// defaults, and its one-line summary.
@Suite struct ActionParsingTests {
    /// Parses one whole action; fails the test on any diagnostic.
    static func action<Kind: ActionKind>(_ yaml: String, as _: Kind.Type, parameters: Set<String> = []) throws -> Kind {
        let node = try YAMLDocumentParser.parse(yaml, file: "t.yaml")
        var scope = ParseScope(file: "t.yaml", parameterNames: parameters)
        let parsed = ActionListParser.parseAction(node, scope: &scope)
        #expect(scope.diagnostics.isEmpty, "\(scope.diagnostics.map(\.description))")
        return try #require(parsed?.kind as? Kind)
    }

    /// The diagnostics of one whole action.
    static func errors(_ yaml: String, parameters: Set<String> = []) throws -> [Diagnostic] {
        let node = try YAMLDocumentParser.parse(yaml, file: "t.yaml")
        var scope = ParseScope(file: "t.yaml", parameterNames: parameters)
        _ = ActionListParser.parseAction(node, scope: &scope)
        return scope.diagnostics.filter { $0.severity == .error }
    }

    static let header = "name: a\nexplain: b\nrisk: destructive\n"

    // MARK: sysctl

    @Test func sysctlReadsEverySetting() throws {
        let action = try Self.action(SysctlAction.examples.valid[0], as: SysctlAction.self, parameters: ["max_ceiling"])
        #expect(action.keys == ["net.netfilter.nf_conntrack_max", "net.nf_conntrack_max", "net.ipv4.netfilter.ip_conntrack_max"])
        #expect(action.change == .set(try NumberExpression(parsing: "max(current * 2, 65536)")))
        #expect(action.floor?.constantValue == 65536)
        #expect(action.ceiling?.parameterReferences == ["max_ceiling"])
        #expect(action.direction == .raise)
        #expect(action.memoryBudget == SysctlAction.MemoryBudget(share: try NumberExpression(parsing: "25%"), objectSize: .auto))
        #expect(action.hashSize?.divisor == 4)
        #expect(action.persist == SysctlAction.Persist(file: "/etc/sysctl.d/90-ctfix-conntrack.conf", modulesLoad: "nf_conntrack"))
        #expect(action.persist?.modulesLoadFile == "/etc/modules-load.d/90-ctfix-conntrack.conf")
        #expect(action.summaryLine == "set net.netfilter.nf_conntrack_max (or net.nf_conntrack_max, net.ipv4.netfilter.ip_conntrack_max) to max(current * 2, 65536), at least 65536, at most ${max_ceiling}, raise only, within 25% of MemAvailable (entry size from slabinfo), hashsize = max / 4, persisted in /etc/sysctl.d/90-ctfix-conntrack.conf (loading nf_conntrack at boot)")
    }

    @Test func sysctlDefaultsAndOtherChanges() throws {
        let halve = try Self.action(Self.header + "sysctl: {key: net.netfilter.nf_conntrack_tcp_timeout_established, multiply: 0.5}", as: SysctlAction.self)
        #expect(halve.change.keyword == "multiply")
        #expect(halve.change.expression.constantValue == 0.5)
        #expect(halve.direction == .any)
        #expect(halve.floor == nil && halve.ceiling == nil && halve.memoryBudget == nil && halve.hashSize == nil && halve.persist == nil)
        #expect(halve.summaryLine == "multiply net.netfilter.nf_conntrack_tcp_timeout_established by 0.5")

        let add = try Self.action(Self.header + "sysctl: {key: net.core.somaxconn, add: 1024}", as: SysctlAction.self)
        #expect(add.summaryLine == "add 1024 to net.core.somaxconn")

        let budget = try Self.action(Self.header + "sysctl: {key: net/netfilter/nf_conntrack_max, set: ram_mb * 16, memory_budget: {object_size: 384}}", as: SysctlAction.self)
        #expect(budget.memoryBudget?.share.constantValue == 0.25)
        #expect(budget.memoryBudget?.objectSize == .bytes(384))
    }

    @Test(arguments: [
        ("net.netfilter.nf_conntrack_max", "/proc/sys/net/netfilter/nf_conntrack_max"),
        ("net/ipv4/conf/eth0.100/rp_filter", "/proc/sys/net/ipv4/conf/eth0.100/rp_filter"),
        ("net.ipv4.netfilter.ip_conntrack_max", "/proc/sys/net/ipv4/netfilter/ip_conntrack_max"),
    ])
    func sysctlKeysMapToProcPaths(_ key: String, _ path: String) {
        #expect(SysctlAction.keyProblem(key) == nil)
        #expect(SysctlAction.procPath(forKey: key) == path)
    }

    @Test(arguments: [
        ("../../etc", "'..' and '.' components are not allowed"), ("/proc/sys/vm/swappiness", "not an absolute path"),
        ("net.netfilter.nf conntrack_max", "character ' ' is not allowed"), ("net..x", "empty component"), ("net.", "empty component"),
        ("vm", "at least two components"), ("net.netfilter.$(reboot)", "character '$' is not allowed"),
    ])
    func sysctlKeyProblems(_ key: String, _ fragment: String) throws {
        let problem = try #require(SysctlAction.keyProblem(key))
        #expect(problem.contains(fragment))
    }

    @Test func sysctlHashsizeAndBudgetRequireAConntrackMaxKeyEvenInSlashForm() throws {
        _ = try Self.action(Self.header + "sysctl: {key: net/netfilter/nf_conntrack_max, set: 262144, hashsize: {divisor: 1}}", as: SysctlAction.self)
        let errors = try Self.errors(Self.header + "sysctl: {key: [net.netfilter.nf_conntrack_max, vm.swappiness], set: 1, hashsize: {divisor: 1}}")
        #expect(errors.count == 1)
        #expect(errors.first?.message.contains("hashsize only applies to the conntrack table size") == true)
        #expect(errors.first?.message.contains("'vm.swappiness'") == true)
    }

    @Test(arguments: [
        ("multiply: 0", "must be greater than zero"), ("multiply: 1", "changes nothing"), ("add: 0", "changes nothing"),
        ("multiply: 2\n  direction: lower", "can only raise the value, but direction is 'lower'"),
        ("add: 100\n  direction: lower", "can only raise"), ("set: 1\n  direction: sideways", "direction must be one of: raise, lower, any"),
    ])
    func sysctlChangesThatCannotWork(_ settings: String, _ fragment: String) throws {
        let errors = try Self.errors(Self.header + "sysctl:\n  key: net.core.somaxconn\n  " + settings)
        #expect(errors.count == 1)
        #expect(errors.first?.message.contains(fragment) == true, "\(errors)")
    }

    @Test func sysctlListsEveryProblemOfOneAction() throws {
        let errors = try Self.errors(Self.header + """
            sysctl:
              key: [net.netfilter.nf_conntrack_max, net.netfilter.nf_conntrack_max]
              set: ${nope}
              floor: lots
              persist: {file: /etc/sysctl.d/../x.conf, modules_load: Nf-Conntrack}
            """)
        #expect(errors.map { "\($0.line):\($0.column)" } == ["5:41", "6:8", "7:10", "8:19", "8:58"])
    }

    // MARK: the other kinds

    @Test func dropCachesAndCompactMemory() throws {
        let drop = try Self.action(Self.header + "drop_caches: {level: 2}", as: DropCachesAction.self)
        #expect(drop.level == 2)
        #expect(drop.summaryLine == "drop dentries and inodes (write 2 to /proc/sys/vm/drop_caches)")
        let compact = try Self.action(Self.header + "compact_memory: {}", as: CompactMemoryAction.self)
        #expect(compact.summaryLine == "compact memory (write 1 to /proc/sys/vm/compact_memory)")
        #expect(try Self.errors(Self.header + "drop_caches: {level: '1'}").first?.message.contains("found '1'") == true)
    }

    @Test func restartServiceDefaultsAndTemplates() throws {
        let plain = try Self.action(Self.header + "restart_service: {unit: nginx.service}", as: RestartServiceAction.self)
        #expect(plain.unit.text == "nginx.service")
        #expect(plain.timeout == .seconds(60))
        #expect(plain.summaryLine == "restart nginx.service (systemctl restart, timeout 1m)")
        let templated = try Self.action(Self.header + "restart_service: {unit: 'app@${instance}', timeout: 90s}", as: RestartServiceAction.self, parameters: ["instance"])
        #expect(templated.unit.references == ["instance"])
        #expect(templated.timeout == .seconds(90))
        #expect(RestartServiceAction.isValidUnitName("getty@tty1.service"))
        #expect(!RestartServiceAction.isValidUnitName("-H"))
        #expect(!RestartServiceAction.isValidUnitName("a b"))
    }

    @Test func fileEditDefaultsAndEdits() throws {
        let comment = try Self.action(FileEditAction.examples.valid[0], as: FileEditAction.self)
        #expect(comment.path == "/etc/sysconfig/iptables-config")
        #expect(comment.match.matches("IPTABLES_MODULES=\"ip_conntrack_netbios_ns\""))
        #expect(comment.edit == .commentOut(prefix: "#"))
        #expect(comment.ifMissing == .skip)
        #expect(comment.backup)
        let replace = try Self.action(Self.header + "file_edit: {path: /etc//sysctl.conf, match: x, replace: 'y = ${HOME}', backup: false}", as: FileEditAction.self)
        #expect(replace.path == "/etc/sysctl.conf")
        #expect(replace.edit == .replace("y = ${HOME}"), "replace text is literal, shell-style ${} included")
        #expect(replace.ifMissing == .fail)
        #expect(!replace.backup)
        #expect(replace.summaryLine == "in /etc/sysctl.conf, replace with 'y = ${HOME}' lines matching /x/, without a backup")
        let semicolon = try Self.action(FileEditAction.examples.valid[3], as: FileEditAction.self)
        #expect(semicolon.edit == .commentOut(prefix: ";"))
    }

    @Test func moduleUnloadAlternativesAndForce() throws {
        let unload = try Self.action(ModuleUnloadAction.examples.valid[0], as: ModuleUnloadAction.self)
        #expect(unload.modules == ["nf_conntrack", "ip_conntrack"])
        #expect(!unload.force)
        #expect(unload.summaryLine == "unload kernel module the first loaded of nf_conntrack, ip_conntrack")
        let forced = try Self.action(Self.header + "module_unload: {module: nf_conntrack, force: true}", as: ModuleUnloadAction.self)
        #expect(forced.force)
        #expect(forced.modules == ["nf_conntrack"])
    }

    @Test func rebootMethodsAndDefaults() throws {
        let systemctl = try Self.action(Self.header + "reboot: {method: systemctl}", as: RebootAction.self)
        #expect(systemctl.method == .systemctl)
        #expect(systemctl.delay == .seconds(60))
        #expect(systemctl.sentinel == nil)
        #expect(systemctl.summaryLine == "reboot the host in 1m (systemctl reboot; at most once per boot)")
        let kured = try Self.action(Self.header + "reboot: {method: kured}", as: RebootAction.self)
        #expect(kured.sentinel == "/var/run/reboot-required")
        #expect(kured.delay == nil)
        let custom = try Self.action(Self.header + "reboot: {method: kured, sentinel: /run/kured/reboot-required}", as: RebootAction.self)
        #expect(custom.sentinel == "/run/kured/reboot-required")
    }

    @Test func commandArgvShellAndEnvironment() throws {
        let argv = try Self.action(CommandAction.examples.valid[0], as: CommandAction.self, parameters: ["service"])
        #expect(argv.program == .argv(["/usr/sbin/conntrack", "-D", "-p", "udp"].map { try! StringTemplate.parse($0).get() }))
        #expect(argv.timeout == .seconds(30))
        #expect(argv.environment.isEmpty)
        #expect(argv.summaryLine == "run /usr/sbin/conntrack -D -p udp (timeout 30s)")
        let shell = try Self.action(CommandAction.examples.valid[1], as: CommandAction.self, parameters: ["service"])
        guard case .shell(let script) = shell.program else { Issue.record("expected a shell program"); return }
        #expect(script.contains("$SERVICE"))
        #expect(shell.timeout == .seconds(60))
        #expect(shell.environment["SERVICE"]?.references == ["service"])
        #expect(shell.environment["PATH"]?.text == "/usr/bin:/bin")
        let empty = try Self.action(Self.header + "command: {argv: [true], environment: {DEBUG: ''}}", as: CommandAction.self)
        #expect(empty.environment["DEBUG"]?.text == "")
        #expect(try Self.errors(Self.header + "command: {argv: []}").first?.message.contains("at least the program") == true)
        #expect(try Self.errors(Self.header + "command: {argv: [/usr/../bin/sh]}").first?.message.contains("without '..'") == true)
        #expect(try Self.errors(Self.header + "command: {argv: [true], environment: [A]}").first?.message.contains("must be a mapping of NAME: value") == true)
    }

    @Test func riskBelowTheKindsMinimumIsRefusedForEveryKind() throws {
        let bodies: [String: String] = [
            "drop_caches": "{level: 1}", "restart_service": "{unit: x}",
            "module_unload": "{module: nf_conntrack}", "reboot": "{method: systemctl}",
        ]
        for kind in PlaybookAction.kinds where kind.minimumRisk > .safe {
            let body = try #require(bodies[kind.keyword], "no body for \(kind.keyword)")
            let errors = try Self.errors("name: a\nexplain: b\nrisk: safe\n\(kind.keyword): \(body)")
            #expect(errors.map(\.message) == ["a \(kind.keyword) action is at least '\(kind.minimumRisk.rawValue)'; declared 'safe'"])
            #expect(errors.first.map { ($0.line, $0.column) } ?? (0, 0) == (3, 7))
        }
    }
}
