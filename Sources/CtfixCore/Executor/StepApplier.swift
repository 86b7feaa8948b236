import Foundation

/// Applies planned steps to the host through the system boundary and checks each one took:
/// values are read back (the kernel may refuse, clamp or round), files are re-read after the
/// atomic replace. Returns what the host holds afterwards, for the outcome record.
public struct StepApplier: Sendable {
    public let context: CtfixContext
    /// Where config-file backups go, one directory per run: `/var/lib/ctfix/backups/<run>/…`.
    public let backupDirectory: String

    public init(context: CtfixContext, runID: String) {
        self.context = context
        self.backupDirectory = "/var/lib/ctfix/backups/\(runID)"
    }

    /// The result of one step.
    public struct Applied: Sendable, Equatable {
        /// What was read back after the change.
        public var observed: String?
        public var message: String
        /// Not executed: the step runs a program or reboots and the root is not this machine.
        public var simulated = false
    }

    /// Why a step failed; the host may be partly changed only where `changed` says so.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var message: String
        /// True when the step wrote something before failing (a read-back mismatch).
        public var changed: Bool
        public var description: String { message }
    }

    public func apply(_ step: PlannedStep) async throws(Failure) -> Applied {
        // Kill points on both sides of every primitive (the kill test stops a run at each).
        KillPoint.pass("apply.before \(step.summaryLine)")
        defer { KillPoint.pass("apply.after \(step.summaryLine)") }
        return try await applyPrimitive(step)
    }

    func applyPrimitive(_ step: PlannedStep) async throws(Failure) -> Applied {
        // Containment, decided here at the primitive so no action kind (present or future)
        // can start a program or reboot this machine while its files come from another root.
        if step.runsProgram, !context.isLiveHost {
            return Applied(observed: nil, message: "\(RunReport.simulatedReason); did not \(step.summaryLine)", simulated: true)
        }
        let fs = context.fileSystem
        switch step {
        case .setValue(let path, let name, _, let after):
            do {
                try fs.writeInPlace(Data((after + "\n").utf8), to: path)
            } catch {
                throw Failure(message: "writing \(name) = \(after) failed: \(error.reasonText) (\(path))", changed: false)
            }
            let observed: String
            do {
                observed = try fs.readText(path).trimmed(.whitespacesAndNewlines)
            } catch {
                throw Failure(message: "\(name) was written but cannot be read back: \(error)", changed: true)
            }
            guard Self.sameValue(observed, after) else {
                throw Failure(message: "\(name) reads back \(observed) after writing \(after): the kernel did not take the value", changed: true)
            }
            return Applied(observed: observed, message: "\(name) = \(observed) (read back)")

        case .setNamespaceValue(let namespace, let label, let path, let name, _, let after):
            let observed: String
            do {
                observed = try context.namespaceAccess.write(after, to: path, in: namespace).trimmed(.whitespacesAndNewlines)
            } catch {
                throw Failure(message: "in \(label): writing \(name) = \(after) failed: \(error.message)", changed: error.changed)
            }
            guard Self.sameValue(observed, after) else {
                throw Failure(message: "in \(label): \(name) reads back \(observed) after writing \(after): the kernel did not take the value", changed: true)
            }
            return Applied(observed: observed, message: "in \(label): \(name) = \(observed) (read back)")

        case .writeFile(let path, let before, let after, _, let plannedBackup):
            do {
                let currentBytes = fs.exists(path) ? try fs.readFile(path) : nil
                if let currentBytes, let offset = UTF8Check.firstInvalidOffset(currentBytes) {
                    throw Failure(message: "\(path) is not UTF-8 text (byte \(offset) is not); not overwriting it (writing it back would change lines the plan did not show)", changed: false)
                }
                let current = currentBytes.map { String(decoding: $0, as: UTF8.self) }
                guard current == before else {
                    throw Failure(message: "\(path) changed since the plan was made (an earlier action was declined, or someone edited it); not overwriting it", changed: false)
                }
                if let before, let backup = plannedBackup {
                    try fs.createDirectory(HostPath.parent(of: backup))
                    try fs.writeAtomically(Data(before.utf8), to: backup, mode: 0o600)
                }
                if let after {
                    try fs.createDirectory(HostPath.parent(of: path))
                    try fs.writeAtomically(Data(after.utf8), to: path, mode: 0o644)
                    let reread = try fs.readText(path)
                    guard reread == after else {
                        throw Failure(message: "\(path) does not hold the written content after the replace", changed: true)
                    }
                    return Applied(observed: nil, message: before == nil ? "created \(path)"
                                   : "wrote \(path)" + (plannedBackup.map { " (backup in \($0))" } ?? ""))
                }
                try fs.removeFile(path)
                return Applied(observed: nil, message: "removed \(path)")
            } catch let failure as Failure {
                throw failure
            } catch let error as FileSystemError {
                throw Failure(message: "writing \(path) failed: \(error.reasonText)", changed: false)
            } catch {
                throw Failure(message: "writing \(path) failed: \(error)", changed: false)
            }

        case .trigger(let path, let name, let value):
            do {
                try fs.writeInPlace(Data((value + "\n").utf8), to: path)
            } catch {
                throw Failure(message: "writing \(value) to \(name) failed: \(error.reasonText) (\(path))", changed: false)
            }
            return Applied(observed: nil, message: "wrote \(value) to \(name)")

        case .runCommand(let argv, let timeout, let environment):
            let result: CommandResult
            do {
                result = try await context.commands.run(argv, environment: environment,
                                                        timeout: .milliseconds(Int64(timeout * 1000)), outputLimit: 1 << 20)
            } catch {
                throw Failure(message: "\(error)", changed: false)
            }
            guard result.succeeded else {
                let why = result.timedOut ? "timed out after \(formatNumber(timeout)) s" : "exited with status \(result.exitStatus)"
                let stderr = result.standardError.trimmed(.whitespacesAndNewlines)
                throw Failure(message: "\(argv.joined(separator: " ")) \(why)" + (stderr.isEmpty ? "" : ": \(stderr.prefix(500))"), changed: true)
            }
            return Applied(observed: nil, message: "\(argv.first ?? "") exited 0")

        case .reboot(let method, let sentinel, let delaySeconds):
            if method == "kured" {
                let path = sentinel ?? "/var/run/reboot-required"
                do {
                    try fs.createDirectory(HostPath.parent(of: path))
                    try fs.writeAtomically(Data("ctfix\n".utf8), to: path, mode: 0o644)
                } catch {
                    throw Failure(message: "creating kured's sentinel \(path) failed: \(error.reasonText)", changed: false)
                }
                return Applied(observed: nil, message: "created \(path); kured will drain and reboot the node")
            }
            // `shutdown -r +M` warns logged-in users and leaves M minutes to cancel (`shutdown -c`).
            let minutes = Int((delaySeconds ?? 0) / 60)
            let argv = minutes > 0 ? ["shutdown", "-r", "+\(minutes)", "ctfix: reboot requested by a remediation playbook"] : ["systemctl", "reboot"]
            return try await applyPrimitive(.runCommand(argv: argv, timeoutSeconds: 30, environment: [:]))
        }
    }

    /// Values compare as numbers when both are numbers (`65536` and `65536 ` or `0065536`),
    /// else as whitespace-normalised text (multi-value files such as `tcp_rmem`).
    static func sameValue(_ a: String, _ b: String) -> Bool {
        if let x = Double(a.trimmed(.whitespaces)), let y = Double(b.trimmed(.whitespaces)) { return x == y }
        let normalize = { (s: String) in s.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ") }
        return normalize(a) == normalize(b)
    }
}
