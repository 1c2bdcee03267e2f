import Hummingbird
import QlippyModel
import QlippyStore

/// Accounts mode's user management: creating accounts (admins, or anyone with open sign-up),
/// and for admins listing, changing and deleting them.
struct AccountController {
    let accounts: AccountService
    let posts: IdempotentPosts
    let maxBodySize: Int

    func addRoutes(to routes: RouteGroups) {
        routes.signup.post("/api/users", use: create)
        routes.admin.get("/api/users", use: list)
        routes.admin.patch("/api/users/:user_id", use: update)
        routes.admin.delete("/api/users/:user_id", use: delete)
    }

    /// `POST /api/users`: a new account with a password; only an admin may give a role.
    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let input = try CreateAccountRequest(try await JSONBody.read(request, limit: maxBodySize))
        if input.role != nil && !context.callerIsAdmin { throw APIError.adminOnly }
        let role = input.role ?? .user
        // Keys are the caller's (sign-up's are shared, as outside accounts mode). The fingerprint
        // leaves the password out: a kept fingerprint must not be a fast hash of a password.
        return try await posts.respond(
            to: request, scope: context.caller?.userID ?? IdempotencyKeys.usersScope,
            fingerprint: "account|\(role.rawValue)|\(input.username)"
        ) {
            let account = try await accounts.createAccount(username: input.username, password: input.password, role: role)
            context.logger.info(
                "account created", metadata: ["user": "\(account.user.id)", "by": "\(context.caller?.userID ?? "sign-up")"])
            return StoredReply.json(.created) { $0.write(account) }
        }
    }

    /// `GET /api/users`: every account.
    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let all = try await accounts.store.accounts()
        return Response.json(.ok, capacity: 200 * max(all.count, 1)) { $0.write(array: all) { $0.write($1) } }
    }

    /// `PATCH /api/users/{user_id}`: a new password, role, or disabled state.
    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try context.parameters.uuid("user_id")
        let input = try UpdateAccountRequest(try await JSONBody.read(request, limit: maxBodySize))
        let account = try await accounts.updateAccount(userID: id, password: input.password, role: input.role, disabled: input.disabled)
        context.logger.info("account changed", metadata: ["user": "\(id)", "by": "\(context.caller?.userID ?? "")"])
        return Response.json(.ok) { $0.write(account) }
    }

    /// `DELETE /api/users/{user_id}`: the user and everything they own.
    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try context.parameters.uuid("user_id")
        try await accounts.deleteUser(id: id)
        context.logger.notice("user deleted with all their data", metadata: ["user": "\(id)", "by": "\(context.caller?.userID ?? "")"])
        return Response.json(.ok) { $0.writeConfirmation("User deleted successfully") }
    }
}
