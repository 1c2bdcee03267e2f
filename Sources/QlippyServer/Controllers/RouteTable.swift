import Hummingbird

/// Registers routes on the router and remembers them.
///
/// Once every controller has registered, ``addMethodAnswers()`` adds the middleware that answers
/// `OPTIONS` and 405 for the paths remembered here.
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

    /// `OPTIONS` and 405 for the known paths: added last, the middleware wraps only "not found".
    func addMethodAnswers() {
        router.add(middleware: MethodAnswerMiddleware(routes: routes))
    }
}
