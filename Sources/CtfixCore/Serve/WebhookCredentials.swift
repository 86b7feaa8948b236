import Foundation

/// Who may call the webhook: the secret is read from a file at start-up (never in the config).
public enum WebhookCredentials: Sendable, Equatable {
    case bearer(token: String)
    case basic(username: String, password: String)

    /// The `WWW-Authenticate` challenge for a 401.
    public var challenge: String {
        switch self {
        case .bearer: "Bearer realm=\"ctfix\""
        case .basic: "Basic realm=\"ctfix\", charset=\"UTF-8\""
        }
    }

    /// True when an `Authorization` header value carries these credentials. Every comparison is
    /// constant-time in the secret so response timing does not reveal how much of it matched.
    public func accepts(authorization header: String?) -> Bool {
        guard let header else { return false }
        let parts = header.split(separator: " ", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return false }
        let scheme = parts[0].lowercased(), value = parts[1].trimmed(.whitespaces)
        switch self {
        case .bearer(let token):
            return scheme == "bearer" && ConstantTime.equals(value, token)
        case .basic(let username, let password):
            guard scheme == "basic", let data = Data(base64Encoded: value),
                  let text = String(data: data, encoding: .utf8), let colon = text.firstIndex(of: ":") else { return false }
            let userOK = ConstantTime.equals(String(text[..<colon]), username)
            let passwordOK = ConstantTime.equals(String(text[text.index(after: colon)...]), password)
            return userOK && passwordOK
        }
    }
}
