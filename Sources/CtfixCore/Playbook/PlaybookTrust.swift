import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Which playbook files ctfix may act on, judged the way sudo judges sudoers and systemd its
/// unit files: a playbook says what root will do to the host, so when ctfix runs as root
/// (euid 0) the file, and every directory on the way to it from `/`, must be changeable by
/// nobody but root and the invoking user. Otherwise anyone who can write there decides what
/// root runs. A directory with the sticky bit (a mode-1777 directory such as `/tmp`) is still
/// refused: anyone may create files in it, which is exactly how a planted playbook gets there.
///
/// Not root: nothing is judged (the caller could change the file anyway). The effective uid
/// and the invoking user are injectable so the rules are tested without being root.
public struct PlaybookTrust: Sendable, Equatable {
    /// True when the rules apply (ctfix runs as root).
    public var enforced: Bool
    /// Owners a playbook and its directories may have: root and the invoking user.
    public var trustedOwners: [UInt32]

    public init(enforced: Bool, trustedOwners: [UInt32]) {
        self.enforced = enforced
        self.trustedOwners = Array(Set(trustedOwners)).sorted()
    }

    /// The rules for a process with this effective uid, started by `invokingUID` (the user
    /// behind `sudo`, else the real uid).
    public init(effectiveUID: UInt32, invokingUID: UInt32) {
        self.init(enforced: effectiveUID == 0, trustedOwners: [0, invokingUID])
    }

    /// No judgement: for a process that is not root, and for tests and tools that only parse.
    public static let unchecked = PlaybookTrust(enforced: false, trustedOwners: [])

    /// The rules for this process: enforced when the effective uid is 0; the invoking user is
    /// `SUDO_UID` when set, else the real uid.
    public static func process(environment: [String: String] = ProcessInfo.processInfo.environment) -> PlaybookTrust {
        let invoking = environment["SUDO_UID"].flatMap(UInt32.init) ?? UInt32(getuid())
        return PlaybookTrust(effectiveUID: UInt32(geteuid()), invokingUID: invoking)
    }

    /// Why one file or directory on a playbook's path cannot be trusted, and how to fix it.
    public struct Violation: Error, Sendable, Equatable, CustomStringConvertible {
        public enum Problem: Sendable, Equatable {
            /// Writable by group and/or others; the full mode (with the sticky bit) is kept for the message.
            case writable(mode: UInt32)
            /// Owned by a user other than root and the invoking user.
            case owner(uid: UInt32)
        }

        /// How every refusal message starts.
        public static let prefix = "untrusted playbook:"

        public var path: String
        public var isDirectory: Bool
        public var problem: Problem

        /// The command that fixes it (or where to move the playbook when the directory is a
        /// shared one such as `/tmp`, which must stay world-writable).
        public var fix: String {
            switch problem {
            case .writable(let mode) where isDirectory && mode & 0o1002 == 0o1002:
                "move the playbook out of the shared directory \(path), e.g. to /etc/ctfix/playbooks"
            case .writable: "chmod go-w \(path)"
            case .owner: "chown root \(path)"
            }
        }

        public var description: String {
            let what = isDirectory ? "directory \(path)" : path
            let problem: String
            switch self.problem {
            case .writable(let mode):
                let who = mode & 0o022 == 0o022 ? "group and others" : mode & 0o002 != 0 ? "others" : "group"
                problem = "\(what) is writable by \(who) (mode \(NumberText.padded(mode & 0o7777, width: 4, radix: 8)))"
            case .owner(let uid):
                problem = "\(what) is owned by \(PlaybookTrust.userName(uid)), not root or the invoking user"
            }
            return "\(Self.prefix) \(problem), so someone else could change what ctfix runs as root; fix: \(fix)"
        }
    }

    /// Judges one file or directory from its `stat` fields; nil when it may be trusted.
    public func judge(path: String, isDirectory: Bool, mode: UInt32, owner: UInt32) -> Violation? {
        guard enforced else { return nil }
        if !trustedOwners.contains(owner) {
            return Violation(path: path, isDirectory: isDirectory, problem: .owner(uid: owner))
        }
        if mode & 0o022 != 0 {
            return Violation(path: path, isDirectory: isDirectory, problem: .writable(mode: mode & 0o7777))
        }
        return nil
    }

    /// `uid 65534 (nobody)`, or `uid N` when the user database has no name for it.
    static func userName(_ uid: UInt32) -> String {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwuid_r(uid_t(uid), &entry, &buffer, buffer.count, &result) == 0, result != nil,
              let name = entry.pw_name else { return "uid \(uid)" }
        return "uid \(uid) (\(String(cString: name)))"
    }
}
