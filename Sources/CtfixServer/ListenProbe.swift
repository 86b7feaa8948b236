#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Tries to bind the listen address before anything is audited or printed, so a busy port
/// or an address this host does not have is one clear line (`cannot listen on
/// 127.0.0.1:9095: address already in use`) instead of the HTTP stack's raw bind error after
/// a "listening" line and a `serve_start` record. The server binds again for real right
/// after (the probe's socket is closed, with `SO_REUSEADDR` as the server sets it); a port
/// taken in between still fails the real bind, reported the same way.
enum ListenProbe {
    /// nil when `host:port` can be bound now; otherwise the reason, lower-case (`strerror`).
    static func failure(host: String, port: Int) -> String? {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        hints.ai_flags = AI_PASSIVE
        var list: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(host, String(port), &hints, &list)
        guard resolved == 0, let first = list else {
            return "cannot resolve the address (\(String(cString: gai_strerror(resolved)).lowercased()))"
        }
        defer { freeaddrinfo(list) }
        let descriptor = socket(first.pointee.ai_family, first.pointee.ai_socktype, first.pointee.ai_protocol)
        guard descriptor >= 0 else { return reason(errno) }
        defer { close(descriptor) }
        var on: Int32 = 1
        _ = setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        guard bind(descriptor, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 else { return reason(errno) }
        return nil
    }

    /// `strerror` text with a lower-case first letter, as the rest of ctfix's messages read.
    static func reason(_ code: Int32) -> String {
        let text = String(cString: strerror(code))
        return text.prefix(1).lowercased() + text.dropFirst()
    }
}
