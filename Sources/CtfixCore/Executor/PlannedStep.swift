import Foundation

/// One concrete change on the host, computed by an action's plan from live values. Every action
/// kind reduces to these few primitives, so applying, reading back, auditing and undoing are
/// written once: an action cannot forget its read-back or its undo record.
public enum PlannedStep: Sendable, Equatable {
    /// Write a procfs/sysfs value in place and read it back (`sysctl -w` can print an error and
    /// still exit 0; the kernel can also clamp or round a value). `before` is the value read
    /// while planning, which an undo writes back.
    case setValue(path: String, name: String, before: String, after: String)
    /// `setValue` inside another network namespace (a per-namespace key such as the TCP
    /// timeouts), entered from the host through `CtfixContext.namespaceAccess`; `label` names
    /// the namespace for people ("netns 4026532177 (pid 4242 nginx)").
    case setNamespaceValue(namespace: NamespaceTarget, label: String, path: String, name: String, before: String, after: String)
    /// Replace a config file atomically, keeping a backup. `before` nil: the file did not exist;
    /// `after` nil: remove it (what undoing a creation does). `diff` is the unified diff shown
    /// in the plan.
    case writeFile(path: String, before: String?, after: String?, diff: String, backup: String?)
    /// Write a value that makes the kernel do something once (`vm.drop_caches`,
    /// `vm.compact_memory`): nothing to read back, nothing to undo.
    case trigger(path: String, name: String, value: String)
    /// Run a program (argv, no shell unless the argv says so). Not undoable.
    case runCommand(argv: [String], timeoutSeconds: Double, environment: [String: String])
    /// Ask for a reboot: `systemctl reboot`, or kured's sentinel file. Not undoable.
    /// `delaySeconds` (systemctl only): `shutdown -r +M` instead of an immediate reboot.
    case reboot(method: String, sentinel: String?, delaySeconds: Double?)

    /// Whether `undo` can restore the state before this step.
    public var isReversible: Bool {
        switch self {
        case .setValue, .setNamespaceValue, .writeFile: true
        case .trigger, .runCommand, .reboot: false
        }
    }

    /// True when applying the step starts a program or reboots: something that acts on the
    /// machine ctfix runs on, whatever root its files resolve under. Such a step is only ever
    /// simulated under a root that is not this machine's `/` (kured's sentinel is a file).
    public var runsProgram: Bool {
        switch self {
        case .runCommand: true
        case .reboot(let method, _, _): method != "kured"
        case .setValue, .setNamespaceValue, .writeFile, .trigger: false
        }
    }

    /// The step that restores the state before this one, if there is one.
    public var undo: PlannedStep? {
        switch self {
        case .setValue(let path, let name, let before, let after):
            return .setValue(path: path, name: name, before: after, after: before)
        case .setNamespaceValue(let namespace, let label, let path, let name, let before, let after):
            return .setNamespaceValue(namespace: namespace, label: label, path: path, name: name, before: after, after: before)
        case .writeFile(let path, let before, let after, _, _):
            return .writeFile(path: path, before: after, after: before, diff: "", backup: nil)
        case .trigger, .runCommand, .reboot:
            return nil
        }
    }

    /// One line for plans: "net.netfilter.nf_conntrack_max: 16640 → 65536".
    public var summaryLine: String {
        switch self {
        case .setValue(_, let name, let before, let after):
            "\(name): \(before) → \(after)"
        case .setNamespaceValue(_, let label, _, let name, let before, let after):
            "in \(label): \(name) \(before) → \(after)"
        case .writeFile(let path, let before, let after, _, _):
            before == nil ? "create \(path)" : after == nil ? "remove \(path)" : "edit \(path)"
        case .trigger(_, let name, let value):
            "write \(value) to \(name)"
        case .runCommand(let argv, _, _):
            "run " + argv.map { $0.contains(" ") ? "'\($0)'" : $0 }.joined(separator: " ")
        case .reboot(let method, let sentinel, let delay):
            method == "kured" ? "request a reboot from kured (create \(sentinel ?? "/var/run/reboot-required"))"
                : (delay ?? 0) >= 60 ? "reboot the host in \(Int(delay! / 60)) min (shutdown -r)" : "reboot the host (systemctl reboot)"
        }
    }
}
