import Hummingbird
import QlippyModel
import QlippyStore

/// `/api/auth/keys`: the caller's API keys, for scripts and the desktop client.
struct APIKeyController {
    let store: any APIKeyStore
    let maxBodySize: Int

    func addRoutes(to routes: RouteGroups) {
        routes.signedIn.post("/api/auth/keys", use: create)
        routes.signedIn.get("/api/auth/keys", use: list)
        routes.signedIn.delete("/api/auth/keys/:key_id", use: delete)
    }

    /// `POST /api/auth/keys`: a new key, shown this once (`qlp_` and 256 random bits).
    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let input = try CreateAPIKeyRequest(try await JSONBody.read(request, limit: maxBodySize))
        let secret = Secrets.apiKeyPrefix + Secrets.randomText()
        let key = try await store.createAPIKey(
            userID: try context.requireCaller().userID, name: input.name, prefix: String(secret.prefix(8)), keyHash: Secrets.hash(secret),
            expiresAt: input.expiresAt)
        return Response.json(.created) { $0.write(key, secret: secret) }
    }

    /// `GET /api/auth/keys`: the caller's keys, never their secrets.
    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let keys = try await store.apiKeys(ofUser: try context.requireCaller().userID)
        return Response.json(.ok) { $0.write(array: keys) { $0.write($1) } }
    }

    /// `DELETE /api/auth/keys/{key_id}`: revokes the key; another user's key is "not found".
    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await store.deleteAPIKey(id: try context.parameters.uuid("key_id"), userID: try context.requireCaller().userID)
        return Response.json(.ok) { $0.writeConfirmation("API key revoked") }
    }
}
