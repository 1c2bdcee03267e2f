import Hummingbird
import NIOCore
import QlippyStore

/// `GET /metrics`: Prometheus' text format (``ServerMetrics``). On loopback by default, behind the
/// API token when one is set, and for admins only in accounts mode.
struct MetricsController {
    let metrics: ServerMetrics
    let feed: ChangeFeed
    let store: any StoreLifecycle

    func addRoutes(to routes: RouteGroups) {
        routes.admin.get("/metrics", use: scrape)
    }

    /// `GET /metrics`.
    @Sendable func scrape(_ request: Request, context: AppRequestContext) async throws -> Response {
        let status = try? await store.ping()
        let text = metrics.exposition(openStreams: feed.openStreams, searchIndexBehind: status?.searchIndexBehind)
        return Response(status: .ok, headers: [.contentType: ServerMetrics.contentType], body: .init(byteBuffer: ByteBuffer(bytes: text)))
    }
}
