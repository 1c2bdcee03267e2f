import Hummingbird
import QlippyJSON
import QlippyStore

/// `GET /api/users/{user_id}/usage`: a user's token usage per model or per day.
struct UsageController {
    let store: any UsageSummaries

    func addRoutes(to routes: RouteGroups) {
        routes.ownChats.get("/api/users/:user_id/usage", use: summary)
    }

    /// `GET /api/users/{user_id}/usage`.
    @Sendable func summary(_ request: Request, context: AppRequestContext) async throws -> Response {
        let userID = try context.parameters.uuid("user_id")
        let usage = try UsageRequest(QueryParameters(request.uri.query))
        let groups = try await store.usage(ofUser: userID, from: usage.from, to: usage.to, groupBy: usage.groupBy)
        return Response.json(.ok) { $0.write(groups, for: usage) }
    }
}
