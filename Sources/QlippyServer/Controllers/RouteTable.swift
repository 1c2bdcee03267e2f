import Hummingbird

/// The request context every route handler receives.
public typealias AppRequestContext = BasicRequestContext

/// Registers routes on the router and remembers them.
///
/// Hummingbird's router answers a known path with an unknown method as "not found"; the contract
/// wants 405 with an `Allow` header, so once every controller has registered, ``addMethodNotAllowed()``
/// fills each known path's remaining methods with a handler that says which methods exist.
final class RouteTable {
    typealias Handler = @Sendable (Request, AppRequestContext) async throws -> Response

    let router: Router<AppRequestContext>
    /// Registered paths (as written, e.g. `/api/users/:user_id`) with their methods, in registration order.
    private(set) var routes: [(path: String, methods: [HTTPRequest.Method])] = []

    init(router: Router<AppRequestContext>) {
        self.router = router
    }

    func on(_ method: HTTPRequest.Method, _ path: String, use handler: @escaping Handler) {
        router.on(RouterPath(path), method: method, use: handler)
        if let index = routes.firstIndex(where: { $0.path == path }) {
            routes[index].methods.append(method)
        } else {
            routes.append((path, [method]))
        }
    }

    func addMethodNotAllowed() {
        let candidates: [HTTPRequest.Method] = [.get, .post, .put, .delete, .patch]
        for (path, methods) in routes {
            for method in candidates where !methods.contains(method) {
                router.on(RouterPath(path), method: method) { request, _ -> Response in
                    throw APIError.methodNotAllowed(request.method, path: request.uri.path, allowed: methods)
                }
            }
        }
    }
}
