import HTTPTypes
import Hummingbird
import Logging

/// One log line per request: method, path, status and duration; the context's logger adds the
/// request id (`hb.request.id`), which is also returned in `X-Request-Id`.
///
/// Only the path is logged, never the query or body: message contents stay out of the logs.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var status: HTTPResponse.Status = .internalServerError
        defer {
            let elapsed = ContinuousClock.now - start
            let milliseconds = Double(elapsed.components.seconds) * 1_000 + Double(elapsed.components.attoseconds) / 1e15
            context.logger.info(
                "\(request.method) \(request.uri.path) \(status.code)",
                metadata: ["duration_ms": "\((milliseconds * 1_000).rounded() / 1_000)"]
            )
        }
        var response = try await next(request, context)
        status = response.status
        response.headers[.requestID] = context.id
        return response
    }
}
