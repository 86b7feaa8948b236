import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads a credentials file (`auth.bearer_token_file`, `auth.basic_auth.password_file`) the way a
/// secret must be read by a daemon that runs as root: one descriptor, opened without blocking and
/// judged by `fstat` on that same descriptor (so the file that was checked is the file that is
/// read), regular files only (a FIFO planted at the path would otherwise hang start-up; a device
/// would be read without end), at most `maximumBytes`, and not readable by everyone nor writable
/// by group or others. A symbolic link is followed (Kubernetes mounts secrets as links) and the
/// file it reaches is what is judged.
public enum SecretFile {
    /// A token or password longer than this is not a secret someone typed; refused.
    public static let maximumBytes = 4096

    /// Why a secret file was refused; `description` is the message after `what: `.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case cannotOpen(path: String, reason: String)
        case notRegular(path: String)
        case exposed(path: String, mode: mode_t)
        case tooLarge(path: String, size: Int64)
        case empty(path: String)

        public var description: String {
            switch self {
            case .cannotOpen(let path, let reason): "cannot read '\(path)' (\(reason))"
            case .notRegular(let path): "'\(path)' is not a regular file"
            case .exposed(let path, let mode):
                "'\(path)' has mode \(String(mode, radix: 8)) (readable by everyone or writable by group/others); run: chmod 600 '\(path)'"
            case .tooLarge(let path, let size): "'\(path)' is \(size) bytes; a secret file holds at most \(SecretFile.maximumBytes)"
            case .empty(let path): "'\(path)' is empty"
            }
        }
    }

    /// The file's content without trailing newlines.
    public static func read(_ path: String) -> Result<String, Failure> {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else {
            return .failure(.cannotOpen(path: path, reason: String(cString: strerror(errno))))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            return .failure(.cannotOpen(path: path, reason: String(cString: strerror(errno))))
        }
        guard info.st_mode & S_IFMT == S_IFREG else { return .failure(.notRegular(path: path)) }
        let mode = info.st_mode & 0o7777
        guard mode & 0o004 == 0, mode & 0o022 == 0 else { return .failure(.exposed(path: path, mode: mode)) }
        guard info.st_size <= maximumBytes else { return .failure(.tooLarge(path: path, size: Int64(info.st_size))) }
        var bytes = [UInt8](repeating: 0, count: maximumBytes + 1)
        var total = 0
        while total < bytes.count {
            let got = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + total, $0.count - total) }
            if got < 0 {
                if errno == EINTR { continue }
                return .failure(.cannotOpen(path: path, reason: String(cString: strerror(errno))))
            }
            if got == 0 { break }
            total += got
        }
        guard total <= maximumBytes else { return .failure(.tooLarge(path: path, size: Int64(total))) }
        let secret = String(decoding: bytes[0..<total], as: UTF8.self).trimmed(.newlines)
        guard !secret.isEmpty else { return .failure(.empty(path: path)) }
        return .success(secret)
    }
}
