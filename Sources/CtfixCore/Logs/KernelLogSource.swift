/// Where a `log` predicate looks, as a playbook writes it (`sources: [default]`).
public enum KernelLogSource: Sendable, Hashable, CustomStringConvertible {
    /// The first available of: journald, `/dev/kmsg`, `/var/log/kern.log`,
    /// `/var/log/messages`, `/var/log/syslog` — exactly one, since they hold the same messages.
    case automatic
    /// `journalctl -k -o json` (the live journal, or `/var/log/journal` under a snapshot root).
    case journald
    /// `/dev/kmsg`: the kernel's ring buffer (a regular file of records under a fake root).
    case kmsg
    /// A log file on the host (its rotated `.1` is read too when the window reaches back).
    case file(String)

    /// The files `automatic` falls back to, in order.
    public static let defaultFiles = ["/var/log/kern.log", "/var/log/messages", "/var/log/syslog"]
    public static let kmsgPath = "/dev/kmsg"

    public static let words = ["default", "journald", "kmsg"]

    /// Why a written source was refused.
    public struct ParseError: Error, Equatable, Sendable {
        public var message: String
    }

    /// Parses one entry of `sources`: a word or an absolute host path without `..`.
    public static func parse(_ text: String) -> Result<KernelLogSource, ParseError> {
        switch text {
        case "default": return .success(.automatic)
        case "journald": return .success(.journald)
        case "kmsg": return .success(.kmsg)
        default: break
        }
        guard text.hasPrefix("/") else {
            let close = suggestion(text, words)
            if !close.isEmpty || !text.contains("/") {
                return .failure(ParseError(message: "unknown log source '\(text)'\(close); expected default, journald, kmsg or an absolute path"))
            }
            return .failure(ParseError(message: "log source '\(text)' must be an absolute path (such as /var/log/messages)"))
        }
        if text.split(separator: "/").contains("..") {
            return .failure(ParseError(message: "log source '\(text)' must not contain '..'"))
        }
        do {
            let normalized = try HostPath.normalize(text)
            return .success(normalized == kmsgPath ? .kmsg : .file(normalized))
        } catch {
            return .failure(ParseError(message: "log source '\(text)' is not a valid path: \(error.reason)"))
        }
    }

    public var description: String {
        switch self {
        case .automatic: "default"
        case .journald: "journald"
        case .kmsg: Self.kmsgPath
        case .file(let path): path
        }
    }
}

extension FileSystemError.Reason {
    /// A few words for "tried X (…)" lists.
    var shortDescription: String {
        switch self {
        case .notFound: "no such file"
        case .permissionDenied: "permission denied"
        case .notAFile: "not a regular file"
        case .escapesRoot: "resolves outside the host root"
        case .symbolicLink: "a symbolic link where none is allowed"
        case .hardLinked(let links): "\(links) hard links where one is allowed"
        case .invalidPath(let why): "invalid path: \(why)"
        case .io(let why): why
        }
    }
}

/// What happened with one source during a scan: read (how much, which files) or why not.
public struct KernelLogSourceReport: Sendable, Equatable, Codable {
    /// `journald`, `/dev/kmsg` or the file path.
    public var name: String
    /// Why it could not be read; nil when it was.
    public var problem: String?
    /// The files actually read (a file source and its rotated `.1`).
    public var files: [String]
    /// Bytes read from it (a windowed check of a large file reads only a small tail).
    public var bytesRead: Int64
    /// False when the source has no timestamps at all, so the window could not be applied and
    /// every line was counted.
    public var windowApplied: Bool
    /// Anything else worth knowing ("output truncated at 16 MiB").
    public var notes: [String]
    /// True for a source `default` tried and passed over; its problem is only worth showing
    /// when no source at all could be read.
    public var isDefaultFallback: Bool = false
    /// Lines the pattern could not decide (over its length or CPU limit), counted as not
    /// matched; nil when there were none.
    public var undecidedLines: Int?

    public init(name: String, problem: String? = nil, files: [String] = [], bytesRead: Int64 = 0,
                windowApplied: Bool = true, notes: [String] = []) {
        self.name = name
        self.problem = problem
        self.files = files
        self.bytesRead = bytesRead
        self.windowApplied = windowApplied
        self.notes = notes
    }

    public var wasRead: Bool { problem == nil }

    static func unavailable(_ name: String, _ problem: String) -> KernelLogSourceReport {
        KernelLogSourceReport(name: name, problem: problem)
    }
}
