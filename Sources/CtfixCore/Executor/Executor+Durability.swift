import Foundation

/// The executor's crash-safety hooks, kept apart from the apply loop: what must be on disk
/// before the first change, and what a killed predecessor left that the lock holder cleans up.
extension Executor {
    /// Call right before every action's `intent` record (only the first call of a run writes):
    /// records the cooldown and attempt durably *before* the first change, so a run killed
    /// after changing something cannot be repeated by the next unattended run. Returns a
    /// refusal message when the state cannot be written; the run must then change nothing.
    func beforeFirstChange() -> String? {
        do {
            try PolicyState.recordChangeStarting(playbook: playbook.name, runID: runID, at: Date(), ctx.fileSystem)
            return nil
        } catch {
            return "refusing to change anything: the cooldown cannot be recorded before the first change (\(error))"
        }
    }

    /// Takes the host lock; then, as the only run on the host, removes the temporary files and
    /// the holder file that killed runs left, and audits what it removed.
    /// Waits in slices of 200 ms so a stop request (SIGINT/SIGTERM/SIGHUP) ends the wait: nil then.
    func takeHostLock(as holder: HostRunLock.Holder) throws(HostRunLock.Failure) -> (any HostLockHandle)? {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: options.lockWait)
        var acquired: HostRunLockHandle?
        var announced = false
        while acquired == nil {
            let slice = min(max(clock.now.duration(to: deadline), .zero), .milliseconds(200))
            do {
                acquired = try HostRunLock(fileSystem: ctx.fileSystem).acquire(as: holder, wait: slice)
            } catch {
                switch error {
                case .busy, .busyStaleHolder:
                    guard clock.now < deadline else { throw error }
                    if !announced { // No wait is silent: say once whom it waits for, and how long at most.
                        announced = true
                        ctx.output.errorLine("waiting up to \(WaitNotice.format(options.lockWait)) for the host lock (--wait): \(error) (Ctrl-C to stop)")
                    }
                    if options.interruption.isRequested { return nil }
                default: throw error
                }
            }
        }
        guard let handle = acquired else { return nil }
        // Also the directories of files this playbook edits (`file_edit` may name any path).
        let edited = playbook.actions.compactMap { ($0.kind as? FileEditAction)?.path }.map(HostPath.parent(of:))
        var removed = LeftoverTempFiles.sweep(ctx.fileSystem, directories: LeftoverTempFiles.hostDirectories + edited)
        if let log = audit.log { // `--audit-log` may put the log (and its head's temp files) anywhere
            removed += LeftoverTempFiles.sweep(log.fileSystem, directories: [HostPath.parent(of: log.path)], trees: [])
        }
        var fields: [String: JSONValue] = [:]
        var said: [String] = []
        if !removed.isEmpty {
            fields["removed"] = .array(removed.map { .string($0) })
            said.append("removed \(removed.count) temporary file(s) of killed runs: \(removed.joined(separator: ", "))")
        }
        if let stale = handle.staleHolder, stale.runID != holder.runID {
            fields["stale_holder"] = .object(["run_id": .string(stale.runID), "pid": .number(Double(stale.pid))])
            said.append("the holder file named run \(stale.runID), pid \(stale.pid), which is no longer running (killed)")
        }
        if !said.isEmpty {
            fields["message"] = .string(said.joined(separator: "; "))
            try? audit.record("cleanup", fields)
            if !options.json { ctx.output.line("cleanup: " + said.joined(separator: "; ")) }
        }
        return handle
    }
}
