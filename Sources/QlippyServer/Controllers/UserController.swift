import Hummingbird
import QlippyStore

/// `/api/users` and `/api/users/{user_id}`.
struct UserController {
    let store: any ChatStore
    let posts: IdempotentPosts
    let maxBodySize: Int

    func register(on routes: RouteTable) {
        routes.on(.post, "/api/users") { request, _ in
            let input = try CreateUserRequest(try await JSONBody.read(request, limit: maxBodySize))
            return try await posts.respond(to: request, .user(username: input.username))
        }
        routes.on(.get, "/api/users/:user_id") { _, context in
            let user = try await store.user(id: try context.parameters.uuid("user_id"))
            return Response.json(.ok) { $0.write(user) }
        }
    }
}
