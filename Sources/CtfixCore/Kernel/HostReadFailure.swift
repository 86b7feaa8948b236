/// Why a value could not be read from the host, as one sentence naming the place: the file,
/// and what was wrong with it. Predicates turn it into an `unknown` result; `ctfix status`
/// prints it next to the missing field.
public struct HostReadFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The host path involved, when there is one.
    public var path: String?
    /// The whole sentence ("/proc/slabinfo: permission denied (…)").
    public var message: String
    /// True when the thing simply is not there (a key of another kernel era, a module not
    /// loaded), as opposed to being there and unreadable or malformed.
    public var isAbsent: Bool

    public init(path: String?, message: String, isAbsent: Bool = false) {
        self.path = path
        self.message = message
        self.isAbsent = isAbsent
    }

    public var description: String { message }

    /// A file-system error, with a hint where the cause is well known.
    public init(_ error: FileSystemError) {
        var message = error.description
        if error.reason == .permissionDenied, error.path == "/proc/slabinfo" {
            message += " (/proc/slabinfo is readable by root only; run ctfix as root)"
        }
        self.init(path: error.path, message: message, isAbsent: error.reason == .notFound)
    }

    /// A file whose content is not the expected number.
    public static func notANumber(_ path: String, found text: some StringProtocol, what: String = "a number") -> HostReadFailure {
        HostReadFailure(path: path, message: "\(path): expected \(what), found \(HostNumber.excerpt(text))")
    }
}
