/// What one `AuditLog` instance's last append left behind: the chain's last record and the
/// identities (device, inode, size, change time) of the log and of its head file right after
/// they were written, taken from the descriptors written through.
///
/// Why: a run appends about five records, and re-reading the log's tail and head before each
/// (open, read up to 16 KiB, find the lines, parse, hash; open and parse the head) was about a
/// third of an append's cost. Under the append's exclusive lock, when both files are still
/// exactly as this instance left them, the tail is the record it wrote and the head vouches for
/// exactly that record: nothing is left to read, check or repair. Any difference at all (another
/// writer appended, the log was truncated or rewritten, renamed over, rotated, chmod'd, made a
/// link, its directory swapped, the head replaced or edited) sends the append down the full path
/// (tail, head, repair or refusal), unchanged.
struct AuditLogMemo: Sendable, Equatable {
    var last: AuditTail.Last
    var log: FileIdentity
    var head: FileIdentity

    /// True when the log and its head, looked up by name now (last component not followed),
    /// are the very files this instance left, unchanged since. Any error reads as "changed".
    func stillHolds(in fileSystem: any FileSystem, logPath: String, headPath: String) -> Bool {
        guard let log = try? fileSystem.identity(of: logPath), log == self.log,
              let head = try? fileSystem.identity(of: headPath), head == self.head else { return false }
        return true
    }
}

/// An `AuditLog` instance's mutable part, behind its mutex.
struct AuditLogState: Sendable {
    /// Set after an append that completed (record and head written); cleared when an append
    /// fails, so a half-done append is never remembered.
    var memo: AuditLogMemo?
    /// How many appends trusted the memo instead of reading the tail and head (for tests: a
    /// cache that is never used would make the attack tests pass for nothing).
    var appendsFromMemo = 0
}
