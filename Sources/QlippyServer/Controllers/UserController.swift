import Hummingbird
import QlippyStore

/// `/api/users` and `/api/users/{user_id}`.
struct UserController {
    let store: any ChatResources
    let posts: IdempotentPosts
    let maxBodySize: Int
    /// Outside accounts mode; there ``AccountController`` creates users, with passwords.
    let createsUsers: Bool

    func addRoutes(to routes: RouteGroups) {
        if createsUsers { routes.signup.post("/api/users", use: create) }
        routes.ownAccount.get("/api/users/:user_id", use: get)
    }

    /// `POST /api/users`: a new user.
    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let input = try CreateUserRequest(try await JSONBody.read(request, limit: maxBodySize))
        return try await posts.respond(to: request, .user(username: input.username))
    }

    /// `GET /api/users/{user_id}`: one user.
    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try await store.user(id: try context.parameters.uuid("user_id"))
        return Response.json(.ok) { $0.write(user) }
    }
}
