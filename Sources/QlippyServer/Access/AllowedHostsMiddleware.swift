import Hummingbird

/// Answers a request whose `Host` is not one of ``AllowedHosts`` with a JSON 403 before it
/// reaches the token check, a controller or the store: nothing is read or written for it. A
/// request without `Host` is 400, as HTTP/1.1 (RFC 9112, section 3.2) requires.
struct AllowedHostsMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let hosts: AllowedHosts

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let authority = request.head.authority else {
            return try APIError.hostMissing.response(from: request, context: context)
        }
        guard hosts.permits(authority) else {
            context.logger.notice("refused a request for another host", metadata: ["host": "\(authority.prefix(100))"])
            return try APIError.hostNotAllowed.response(from: request, context: context)
        }
        return try await next(request, context)
    }
}
