import Hummingbird
import NIOCore

/// `GET /metrics`: Prometheus' text format (``ServerMetrics``). Exposed like every other route:
/// on loopback by default, and behind the API token when one is set.
struct MetricsController {
    let metrics: ServerMetrics
    let feed: ChangeFeed

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/metrics", use: scrape)
    }

    /// `GET /metrics`.
    @Sendable func scrape(_ request: Request, context: AppRequestContext) async throws -> Response {
        let text = metrics.exposition(openStreams: feed.openStreams)
        return Response(status: .ok, headers: [.contentType: ServerMetrics.contentType], body: .init(byteBuffer: ByteBuffer(bytes: text)))
    }
}
