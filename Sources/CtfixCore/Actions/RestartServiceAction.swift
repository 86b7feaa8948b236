/// Restarts a systemd unit — for services that must reload state after a change (a firewall
/// service that re-applies its rules, an application that keeps connections open). Disruptive by
/// nature: the service is briefly down.
public struct RestartServiceAction: ActionKind {
    public static let keyword = "restart_service"
    public static let summary = "Restart a systemd unit (systemctl restart) and wait for it, with a timeout."
    public static let minimumRisk = RiskClass.disruptive

    /// How long a restart may take when the playbook does not say.
    public static let defaultTimeout = Duration.seconds(60)
    public static let maximumTimeout = Duration.seconds(3600)

    /// The unit, possibly from a parameter (`${service}`); rendered and checked again with
    /// `isValidUnitName` before it is run, because a parameter may come from an alert label.
    public var unit: StringTemplate
    public var timeout: Duration

    public init(unit: StringTemplate, timeout: Duration = RestartServiceAction.defaultTimeout) {
        self.unit = unit
        self.timeout = timeout
    }

    /// True for names systemd accepts as units (`nginx`, `getty@tty1.service`); nothing that a
    /// shell or `systemctl` could read as an option or a path.
    public static func isValidUnitName(_ name: String) -> Bool {
        !name.hasPrefix("-") && CompiledPattern.ownPatternMatches("^[A-Za-z0-9@._:\\\\-]+$", name)
    }

    /// Why a rendered unit name may not be restarted, or nil. Only services and sockets (a name
    /// without a type is a service to `systemctl`); never a target (`reboot.target`,
    /// `rescue.target`: restarting one reboots or isolates the machine), a mount, a slice, and
    /// never systemd's own power and sleep services. Restarting is disruptive and runs
    /// unattended; a parameter (`--set`, an alert label) must not turn it into a reboot that
    /// skipped the destructive gate.
    public static func refusal(unit name: String) -> String? {
        let lower = name.lowercased()
        let types = ["service", "socket", "target", "mount", "automount", "swap", "path", "timer", "slice", "scope", "device"]
        let suffix = lower.split(separator: ".").last.map(String.init).flatMap { types.contains($0) && lower.contains(".") ? $0 : nil }
        if let suffix, suffix != "service", suffix != "socket" {
            return "'\(name)' is a .\(suffix) unit; restart_service restarts services and sockets only (a reboot is the reboot action's job)"
        }
        let base = suffix == nil ? lower : String(lower.dropLast(suffix!.count + 1))
        let power = ["reboot", "poweroff", "halt", "kexec", "soft-reboot", "exit", "suspend", "hibernate", "hybrid-sleep", "suspend-then-hibernate"]
        if power.contains(where: { base == "systemd-\($0)" }) {
            return "'\(name)' reboots, stops or suspends the machine; restart_service does not (use the reboot action)"
        }
        return nil
    }

    public static func parse(_ node: YAMLNode, scope: inout ParseScope) -> RestartServiceAction? {
        guard let reader = MappingReader(node, "'restart_service'", scope: &scope) else { return nil }
        var unit: StringTemplate?
        if let unitNode = reader.required("unit", scope: &scope), let template = scope.template(unitNode, "restart_service unit") {
            // The literal parts must already be unit-name characters; a parameter fills in the rest.
            var literal = template.text
            for name in Set(template.references) { literal = literal.replacingOccurrences(of: "${\(name)}", with: "x") }
            if template.references.isEmpty, let why = refusal(unit: literal) {
                scope.error(unitNode, "restart_service unit: \(why)")
            } else if isValidUnitName(literal) {
                unit = template
            } else {
                scope.error(unitNode, "restart_service unit must be a systemd unit name (letters, digits and @ . _ : - \\), found '\(template.text)'")
            }
        }
        var timeout: Duration? = defaultTimeout
        if let timeoutNode = reader.optional("timeout") {
            timeout = scope.boundedDuration(timeoutNode, "restart_service timeout", atMost: maximumTimeout)
        }
        reader.finish(scope: &scope)
        guard let unit, let timeout else { return nil }
        return RestartServiceAction(unit: unit, timeout: timeout)
    }

    public var summaryLine: String {
        "restart \(unit) (systemctl restart, timeout \(DurationText.format(timeout)))"
    }

    public static let examples = KindExamples(
        valid: [
            """
            name: restart-firewall
            explain: Re-apply the firewall rules with the new table size.
            risk: disruptive
            restart_service:
              unit: firewalld.service
            """,
            """
            name: restart-app
            explain: The application holds thousands of idle connections; restarting releases them.
            risk: disruptive
            restart_service:
              unit: "${service}"
              timeout: 2m
            """,
            """
            name: restart-instance
            explain: Restart one templated instance.
            risk: destructive
            restart_service: {unit: "haproxy@${instance}.service", timeout: 90s}
            """,
        ],
        invalid: [
            .init("""
                name: injected
                explain: x
                risk: disruptive
                restart_service:
                  unit: "nginx; reboot"
                """, at: 5, 9, "restart_service unit must be a systemd unit name"),
            .init("""
                name: option-like
                explain: x
                risk: disruptive
                restart_service:
                  unit: --force
                """, at: 5, 9, "found '--force'"),
            .init("""
                name: undeclared
                explain: x
                risk: disruptive
                restart_service:
                  unit: ${servcie}
                """, at: 5, 9, "refers to undeclared parameter 'servcie' (did you mean 'service'?)"),
            .init("""
                name: forever
                explain: x
                risk: disruptive
                restart_service:
                  unit: nginx
                  timeout: 2h
                """, at: 6, 12, "restart_service timeout must be at most 1h, found 2h"),
            .init("""
                name: zero
                explain: x
                risk: disruptive
                restart_service:
                  unit: nginx
                  timeout: 0s
                """, at: 6, 12, "must be longer than zero"),
            .init("""
                name: no-unit
                explain: x
                risk: disruptive
                restart_service:
                  service: nginx
                """, at: 5, 3, "'restart_service' is missing required key 'unit'"),
        ],
        parameters: ["service", "instance"]
    )
}
