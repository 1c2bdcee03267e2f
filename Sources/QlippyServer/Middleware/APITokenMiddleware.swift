import Hummingbird

/// With an API token set, every route but `/api/health`, `/api/openapi.json` (and public share
/// links) needs
/// `Authorization: Bearer <token>`; anything else is answered 401 before it reaches a controller.
///
/// Health stays open for load balancers and probes, the document for clients and tools that read
/// it before they have a credential (it says how to send one), and so do `OPTIONS` preflights: browsers send
/// them without credentials, and they only say which methods a path has. The token is never
/// logged: the request log writes the method and path only.
struct APITokenMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    static let openPaths: Set<String> = ["/api/health", "/api/openapi.json"]
    /// Share links, readable without the token under `--share-links public`.
    static let sharePrefixes = ["/api/shared/", "/shared/"]

    private let expected: [UInt8]
    private let openPrefixes: [String]

    init(token: String, openPrefixes: [String] = []) {
        expected = Array("Bearer \(token)".utf8)
        self.openPrefixes = openPrefixes
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard
            request.method == .options || Self.openPaths.contains(path) || openPrefixes.contains(where: { path.hasPrefix($0) })
                || matches(request.headers[.authorization])
        else {
            throw APIError.unauthorized
        }
        return try await next(request, context)
    }

    /// Compares in time that depends only on the expected token's length, so that how long a
    /// refusal takes says nothing about how much of a guess was right.
    private func matches(_ header: String?) -> Bool {
        let given = Array((header ?? "").utf8)
        var difference = UInt8(given.count == expected.count ? 0 : 1)
        for index in expected.indices {
            difference |= expected[index] ^ (index < given.count ? given[index] : 0)
        }
        return difference == 0
    }
}
