import Hummingbird
import QlippyModel
import QlippyStore

/// `/api/auth/…` in accounts mode: signing in and out, refreshing, the caller's account and
/// password, and event-stream tickets.
struct AuthController {
    let accounts: AccountService
    let tickets: StreamTickets
    let maxBodySize: Int

    func addRoutes(to routes: RouteGroups) {
        routes.open.post("/api/auth/login", use: login)
        routes.open.post("/api/auth/refresh", use: refresh)
        routes.signedIn.post("/api/auth/logout", use: logout)
        routes.signedIn.get("/api/auth/me", use: me)
        routes.signedIn.put("/api/auth/password", use: changePassword)
        routes.signedIn.post("/api/auth/stream-ticket", use: streamTicket)
    }

    /// `POST /api/auth/login`: a new sign-in's access and refresh tokens.
    @Sendable func login(_ request: Request, context: AppRequestContext) async throws -> Response {
        let input = try LoginRequest(try await JSONBody.read(request, limit: maxBodySize))
        let signedIn = try await accounts.signIn(
            username: input.username, password: input.password, address: context.remoteAddress?.ipAddress)
        context.logger.info("signed in", metadata: ["user": "\(signedIn.account.user.id)"])
        return Response.json(.ok) { $0.write(signedIn) }
    }

    /// `POST /api/auth/refresh`: a new pair for a current refresh token.
    @Sendable func refresh(_ request: Request, context: AppRequestContext) async throws -> Response {
        let input = try RefreshRequest(try await JSONBody.read(request, limit: maxBodySize))
        do {
            let signedIn = try await accounts.refresh(input.refreshToken)
            return Response.json(.ok) { $0.write(signedIn) }
        } catch let error as APIError where error == .refreshTokenRejected {
            context.logger.notice("refresh token refused (unknown, expired, or reused: a reuse revokes its sign-in)")
            throw error
        }
    }

    /// `POST /api/auth/logout`: ends the sign-in of the access token (its refresh tokens stop working).
    @Sendable func logout(_ request: Request, context: AppRequestContext) async throws -> Response {
        if let signIn = context.caller?.signIn { try await accounts.store.revokeSignIn(family: signIn) }
        return Response.json(.ok) { $0.writeConfirmation("Signed out") }
    }

    /// `GET /api/auth/me`: the caller's account.
    @Sendable func me(_ request: Request, context: AppRequestContext) async throws -> Response {
        let account = try await accounts.store.account(userID: try context.requireCaller().userID)
        return Response.json(.ok) { $0.write(account) }
    }

    /// `PUT /api/auth/password`: a new password; the caller's other sign-ins end.
    @Sendable func changePassword(_ request: Request, context: AppRequestContext) async throws -> Response {
        let input = try ChangePasswordRequest(try await JSONBody.read(request, limit: maxBodySize))
        let caller = try context.requireCaller()
        try await accounts.changePassword(
            userID: caller.userID, current: input.currentPassword, new: input.newPassword, keeping: caller.signIn)
        context.logger.info("password changed", metadata: ["user": "\(caller.userID)"])
        return Response.json(.ok) { $0.writeConfirmation("Password changed") }
    }

    /// `POST /api/auth/stream-ticket`: a single-use ticket for the caller's event stream.
    @Sendable func streamTicket(_ request: Request, context: AppRequestContext) async throws -> Response {
        let ticket = tickets.issue(for: try context.requireCaller().userID)
        return Response.json(.created) { $0.writeTicket(ticket, expiresIn: Int(StreamTickets.lifetime.components.seconds)) }
    }
}

extension AppRequestContext {
    /// The caller of a route that ``AccessMiddleware`` let through as signed in.
    func requireCaller() throws(APIError) -> Caller {
        guard let caller else { throw .signInRequired }
        return caller
    }
}
