import Hummingbird

/// CORS for a configured list of origins.
///
/// Hummingbird's own CORS middleware either allows one origin or echoes any; the contract needs
/// a list, and an unlisted origin must not be echoed. A preflight (`OPTIONS`) goes on to the router,
/// which answers 204 with the path's own `Allow` (``MethodAnswerMiddleware``); this middleware
/// then adds the CORS headers, offering exactly those methods.
struct AllowedOriginsCORSMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    static let allowedHeaders = "Content-Type, Authorization, Idempotency-Key"

    let allowedOrigins: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let origin = request.headers[.origin].flatMap { allowedOrigins.contains($0) ? $0 : nil }
        var response = try await next(request, context)
        if let origin {
            response.headers[.accessControlAllowOrigin] = origin
            if request.method == .options, let allow = response.headers[.allow] {
                response.headers[.accessControlAllowMethods] = allow
                response.headers[.accessControlAllowHeaders] = request.headers[.accessControlRequestHeaders] ?? Self.allowedHeaders
                response.headers[.accessControlMaxAge] = "600"
            }
        }
        if request.headers[.origin] != nil {
            response.headers[.vary] = "Origin"
        }
        return response
    }
}
