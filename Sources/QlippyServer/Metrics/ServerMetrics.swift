import HTTPTypes
import Metrics
import Prometheus
import QlippyStore
import Synchronization

/// The server's metrics, exposed in Prometheus' text format at `GET /metrics`.
///
/// swift-metrics objects made with swift-prometheus' factory over a registry of this application's
/// own, not swift-metrics' process-wide bootstrap: each server (and each test's) counts its own
/// requests. Requests are labelled by route template (`/api/users/{user_id}`), never by the path
/// with its ids, so the number of series stays bounded.
final class ServerMetrics: Sendable {
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"
    static let unmatchedRoute = "unmatched"

    private let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    private let openStreams: Metrics.Gauge
    private let searchIndexBehind: Metrics.Gauge
    private let requests = Mutex<[RequestKey: (count: Metrics.Counter, duration: Metrics.Timer)]>([:])

    private struct RequestKey: Hashable {
        var route: String
        var method: HTTPRequest.Method
        var status: Int
    }

    /// `store`: which store serves (`sqlite`, `postgresql`), for the build-info series.
    init(version: String, store: String) {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.valueHistogramBuckets[StoreMetrics.writeBatchSizeLabel] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]
        self.factory = factory
        Metrics.Gauge(label: "qlippy_build_info", dimensions: [("version", version), ("store", store)], factory: factory).record(1)
        openStreams = Metrics.Gauge(label: "qlippy_event_streams_open", factory: factory)
        searchIndexBehind = Metrics.Gauge(label: "qlippy_search_index_behind", factory: factory)
    }

    /// The store's metrics, in this registry.
    var store: StoreMetrics { StoreMetrics(factory: factory) }

    /// One answered request: `http_requests_total` and `http_request_duration_seconds`.
    func recordRequest(route: String, method: HTTPRequest.Method, status: Int, duration: Duration) {
        let key = RequestKey(route: route, method: method, status: status)
        let series = requests.withLock { requests in
            if let series = requests[key] { return series }
            let dimensions = [("route", route), ("method", method.rawValue), ("status", String(status))]
            let series = (
                count: Metrics.Counter(label: "http_requests_total", dimensions: dimensions, factory: factory),
                duration: Metrics.Timer(label: "http_request_duration_seconds", dimensions: dimensions, factory: factory)
            )
            requests[key] = series
            return series
        }
        series.count.increment()
        series.duration.record(duration: duration)
    }

    /// The text a scrape gets. The gauges are read now, not kept up to date between scrapes: the
    /// open event streams, and the messages the search index has yet to take in (the store's
    /// health statement; 0 on PostgreSQL, whose index is kept by the write itself). When the
    /// database does not answer (`nil`), the index's gauge keeps its last reading.
    func exposition(openStreams streams: Int, searchIndexBehind behind: Int?) -> [UInt8] {
        openStreams.record(streams)
        if let behind { searchIndexBehind.record(behind) }
        return registry.emitToBuffer()
    }
}
