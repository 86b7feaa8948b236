import CtfixCore
import Foundation
import Hummingbird

/// Answers every HTTP request of `ctfix serve`. The checks run in the order that tells a caller
/// the most useful thing: path (404), method (405), credentials (401 with `WWW-Authenticate`),
/// size (413), JSON (400 naming the place), then the durable queue (200, or 503 so
/// Alertmanager retries). `GET /healthz` and `GET /metrics` need no credentials.
public struct WebhookResponder: Sendable {
    public let config: ServeConfig
    public let intake: AlertIntake
    public let metrics: ServeMetrics

    public init(config: ServeConfig, intake: AlertIntake, metrics: ServeMetrics) {
        self.config = config
        self.intake = intake
        self.metrics = metrics
    }

    public func respond(to request: Request, context: BasicRequestContext) async throws -> Response {
        var request = request
        switch request.uri.path {
        case "/healthz":
            guard request.method == .get || request.method == .head else { return methodNotAllowed("GET") }
            if let failure = await intake.health() {
                return json(.serviceUnavailable, ["status": "failing", "reason": failure])
            }
            return json(.ok, ["status": "ok"])
        case "/metrics":
            guard request.method == .get else { return methodNotAllowed("GET") }
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: metrics.text())))
        case config.path:
            guard request.method == .post else { return methodNotAllowed("POST") }
            if let credentials = intake.config.auth, !credentials.accepts(authorization: request.headers[.authorization]) {
                metrics.rejected(status: 401)
                await intake.unauthorized()
                var headers = HTTPFields()
                headers[.wwwAuthenticate] = credentials.challenge
                headers[.contentType] = "application/json"
                return Response(status: .unauthorized, headers: headers, body: body(["error": "missing or wrong credentials"]))
            }
            if let length = request.headers[.contentLength].flatMap(Int.init), length > config.maxBodyBytes {
                return tooLarge()
            }
            let buffer: ByteBuffer
            switch await Self.collect(&request, upTo: config.maxBodyBytes, within: config.bodyTimeout) {
            case .body(let collected): buffer = collected
            case .tooLarge: return tooLarge()
            case .timedOut:
                metrics.rejected(status: 408)
                var response = json(.requestTimeout, ["error": "body not received within \(DurationText.format(config.bodyTimeout))"])
                response.headers[.connection] = "close"
                return response
            }
            let data = Data(buffer.getBytes(at: buffer.readerIndex, length: buffer.readableBytes) ?? [])
            let payload: WebhookPayload
            do { payload = try WebhookPayload.decode(data, limits: config.payloadLimits) } catch {
                metrics.rejected(status: 400)
                return json(.badRequest, ["error": "not an Alertmanager webhook payload: \(error.message)"])
            }
            let result = await intake.receive(payload)
            if let failure = result.failure {
                metrics.rejected(status: 503)
                var response = json(.serviceUnavailable, ["error": "could not audit or queue the alert: \(failure)"])
                response.headers[.retryAfter] = "10"
                return response
            }
            let decisions = result.decisions.map { "\($0.kind.rawValue): \($0.reason)" }
            return Response(status: .ok, headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: ByteBuffer(bytes: Self.encode(["status": "accepted", "decisions": decisions]))))
        default:
            metrics.rejected(status: 404)
            return json(.notFound, ["error": "no such path; Alertmanager posts to \(config.path)"])
        }
    }

    enum Collected { case body(ByteBuffer), tooLarge, timedOut }

    /// The body, bounded in size and in time: a sender that trickles a body cannot hold a
    /// connection (and a request slot) open for longer than `within`.
    static func collect(_ request: inout Request, upTo limit: Int, within timeout: Duration) async -> Collected {
        let body = request.body
        return await withTaskGroup(of: Collected?.self) { group in
            group.addTask {
                var buffer = ByteBuffer()
                do {
                    for try await part in body {
                        guard buffer.readableBytes + part.readableBytes <= limit else { return .tooLarge }
                        var part = part
                        buffer.writeBuffer(&part)
                    }
                } catch { return Task.isCancelled ? nil : .tooLarge }
                return .body(buffer)
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return Task.isCancelled ? nil : .timedOut
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? .timedOut
        }
    }

    private func methodNotAllowed(_ allowed: String) -> Response {
        metrics.rejected(status: 405)
        var response = json(.methodNotAllowed, ["error": "method not allowed; use \(allowed)"])
        response.headers[.allow] = allowed
        return response
    }

    private func tooLarge() -> Response {
        metrics.rejected(status: 413)
        var response = json(.contentTooLarge, ["error": "body larger than \(config.maxBodyBytes) bytes"])
        response.headers[.connection] = "close"
        return response
    }

    private func json(_ status: HTTPResponse.Status, _ object: [String: String]) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: body(object))
    }

    private func body(_ object: [String: String]) -> ResponseBody {
        .init(byteBuffer: ByteBuffer(bytes: Self.encode(object)))
    }

    static func encode(_ object: [String: Any]) -> [UInt8] {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Array(data) + [0x0A]
    }
}
