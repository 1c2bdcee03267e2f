import Hummingbird

/// Answers a known path asked with a method it does not have: `OPTIONS` gets 204 with the path's
/// `Allow`, any other method (`PATCH`, `TRACE`, `QUERY`, …) 405 with the same list.
///
/// Hummingbird's router answers both as "not found". Added to the router after every route, this
/// middleware wraps only the router's not-found answer, so it costs nothing on matched requests.
/// The paths and methods it knows are the router's own (`Router.routes`), read once every
/// controller has added its routes.
struct MethodAnswerMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    /// Each routed path with its methods in ``allowOrder``; where two paths could match one
    /// request, the one with more literal segments comes first, as the router prefers it.
    private let paths: [(path: RouterPath, methods: [HTTPRequest.Method])]

    /// `Allow` lists methods in RFC 9110's order, the order every controller adds them in
    /// (`Router.routes` gives them by name instead: `DELETE` before `PUT`).
    static let allowOrder: [HTTPRequest.Method] = [.get, .head, .post, .put, .delete, .connect, .options, .trace, .patch]

    init(routes: [Router<AppRequestContext>.RouteDescription]) {
        var paths: [(path: RouterPath, methods: [HTTPRequest.Method])] = []
        for route in routes {
            if let index = paths.firstIndex(where: { $0.path == route.path }) {
                paths[index].methods.append(route.method)
            } else {
                paths.append((route.path, [route.method]))
            }
        }
        self.paths =
            paths
            .map { ($0.path, $0.methods.sorted(by: Self.listsBefore)) }
            .sorted { Self.literalCount($0.path) > Self.literalCount($1.path) }
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
        return paths.first { route in
            route.path.components.count == segments.count && zip(route.path.components, segments).allSatisfy { $0 ~= $1 }
        }?.methods
    }

    /// Whether `a` comes before `b` in `Allow`: by ``allowOrder``, then any other method by name.
    private static func listsBefore(_ a: HTTPRequest.Method, _ b: HTTPRequest.Method) -> Bool {
        let (i, j) = (allowOrder.firstIndex(of: a) ?? allowOrder.count, allowOrder.firstIndex(of: b) ?? allowOrder.count)
        return i != j ? i < j : a.rawValue < b.rawValue
    }

    /// How many of the path's segments are literal: a literal element equals its own text, a
    /// parameter (`:user_id`, written `{user_id}`) does not.
    private static func literalCount(_ path: RouterPath) -> Int {
        path.components.count(where: { $0 == $0.description })
    }
}
