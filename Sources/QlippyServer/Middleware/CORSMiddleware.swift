import Hummingbird

/// CORS for a configured list of origins.
///
/// Hummingbird's own CORS middleware either allows one origin or echoes any; the contract needs
/// a list, and an unlisted origin must not be echoed. Every `OPTIONS` request is answered here
/// (204), before routing, so a preflight works for every route.
struct AllowedOriginsCORSMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    static let allowedMethods = "GET, POST, PUT, DELETE, OPTIONS"
    static let allowedHeaders = "Content-Type, Authorization, Idempotency-Key"

    let allowedOrigins: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let origin = request.headers[.origin].flatMap { allowedOrigins.contains($0) ? $0 : nil }
        if request.method == .options {
            var headers: HTTPFields = [.allow: Self.allowedMethods]
            if let origin {
                headers[.accessControlAllowOrigin] = origin
                headers[.accessControlAllowMethods] = Self.allowedMethods
                headers[.accessControlAllowHeaders] = request.headers[.accessControlRequestHeaders] ?? Self.allowedHeaders
                headers[.accessControlMaxAge] = "600"
            }
            headers[.vary] = "Origin"
            return Response(status: .noContent, headers: headers)
        }
        var response = try await next(request, context)
        if let origin {
            response.headers[.accessControlAllowOrigin] = origin
        }
        if request.headers[.origin] != nil {
            response.headers[.vary] = "Origin"
        }
        return response
    }
}
