import Hummingbird
import QlippyJSON
import QlippyStore

/// `GET /api/users/{user_id}/search`: a user's conversations containing a text.
struct SearchController {
    let store: any ConversationSearch

    func addRoutes(to routes: RouteGroups) {
        routes.ownChats.get("/api/users/:user_id/search", use: search)
    }

    /// `GET /api/users/{user_id}/search`.
    @Sendable func search(_ request: Request, context: AppRequestContext) async throws -> Response {
        let userID = try context.parameters.uuid("user_id")
        let search = try SearchRequest(QueryParameters(request.uri.query))
        let results = try await store.search(userID: userID, query: search.query, previewLength: JSONWriter.listPreviewLength)
        return Response.json(.ok, capacity: 1024 * max(results.results.count, 1)) { $0.write(results, for: search) }
    }
}
