import Hummingbird
import QlippyJSON
import QlippyModel
import QlippyStore

/// `GET /api/health`: liveness plus a database round trip.
struct HealthController {
    static let version = "0.1.0"
    let store: any StoreLifecycle

    func addRoutes(to routes: RouteGroups) {
        routes.open.get("/api/health", use: check)
    }

    /// `GET /api/health`: healthy when the database answers, 503 when it does not.
    @Sendable func check(_ request: Request, context: AppRequestContext) async throws -> Response {
        let status: StoreStatus
        do {
            status = try await store.ping()
        } catch {
            context.logger.error("health check: database did not answer: \(error)")
            throw APIError.databaseUnavailable
        }
        var json = JSONWriter()
        json.beginObject()
        json.field("status", "healthy")
        json.field("message", "Qlippy backend is running")
        json.field("timestamp", Timestamp.now())
        json.field("version", Self.version)
        json.field("database", "ok")
        json.field("search_index_behind", status.searchIndexBehind)
        json.endObject()
        return json.response(status: .ok)
    }
}
