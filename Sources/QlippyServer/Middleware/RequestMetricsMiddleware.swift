import Hummingbird

/// Counts and times every request by route template, method and status (``ServerMetrics``).
///
/// Placed outside the error middleware, so it sees the status the client gets. A streamed answer
/// (an export, an event stream) is timed to its head, not to the end of its body.
struct RequestMetricsMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        do {
            let response = try await next(request, context)
            record(request, context, status: Int(response.status.code), since: started)
            return response
        } catch {
            record(request, context, status: Int((error as? any HTTPResponseError)?.status.code ?? 500), since: started)
            throw error
        }
    }

    private func record(_ request: Request, _ context: Context, status: Int, since started: ContinuousClock.Instant) {
        metrics.recordRequest(
            route: context.endpointPath ?? ServerMetrics.unmatchedRoute, method: request.method, status: status,
            duration: started.duration(to: .now)
        )
    }
}
