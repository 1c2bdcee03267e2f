import Hummingbird

/// Answers a known path asked with a method it does not have: `OPTIONS` gets 204 with the path's
/// `Allow`, any other method (`PATCH`, `TRACE`, `QUERY`, …) 405 with the same list.
///
/// Hummingbird's router answers both as "not found". Added to the router after every route, this
/// middleware wraps only the router's not-found answer, so it costs nothing on matched requests.
struct MethodAnswerMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    /// A registered path split into segments; `nil` stands for a parameter (`:user_id`).
    private let shapes: [(segments: [Substring?], methods: [HTTPRequest.Method])]

    init(routes: [(path: String, methods: [HTTPRequest.Method])]) {
        shapes = routes.map { route in
            (route.path.split(separator: "/").map { $0.hasPrefix(":") ? nil : $0 }, route.methods)
        }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            guard let methods = methods(of: request.uri.path) else { throw error }
            guard request.method == .options else {
                throw APIError.methodNotAllowed(request.method, path: request.uri.path, allowed: methods)
            }
            return Response(status: .noContent, headers: [.allow: (methods + [.options]).map(\.rawValue).joined(separator: ", ")])
        }
    }

    private func methods(of path: String) -> [HTTPRequest.Method]? {
        let segments = path.split(separator: "/")
        return shapes.first { shape in
            shape.segments.count == segments.count && zip(shape.segments, segments).allSatisfy { $0 == nil || $0 == $1 }
        }?.methods
    }
}
