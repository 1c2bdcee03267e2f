import Hummingbird
import QlippyStore
import QlippyModel
import QlippyJSON

/// `GET /api/health`: liveness plus a database round trip.
struct HealthController {
    static let version = "0.1.0"
    let store: any ChatStore

    func register(on routes: RouteTable) {
        routes.on(.get, "/api/health") { _, context in
            do {
                try await store.ping()
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
            json.endObject()
            return json.response(status: .ok)
        }
    }
}
