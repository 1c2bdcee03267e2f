import Hummingbird
import NIOCore

/// `GET /metrics`: Prometheus' text format (``ServerMetrics``). Exposed like every other route:
/// on loopback by default, and behind the API token when one is set.
struct MetricsController {
    let metrics: ServerMetrics
    let feed: ChangeFeed

    func register(on routes: RouteTable) {
        routes.on(.get, "/metrics") { _, _ in
            let text = metrics.exposition(openStreams: feed.openStreams)
            return Response(status: .ok, headers: [.contentType: ServerMetrics.contentType], body: .init(byteBuffer: ByteBuffer(bytes: text)))
        }
    }
}
