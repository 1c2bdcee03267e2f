import Hummingbird
import NIOCore
import Synchronization

/// Per-client rate limiting: a token bucket per client address, `--rate-limit` requests per second
/// on average with bursts of `--rate-limit-burst`; a request finding the bucket empty gets 429
/// with `Retry-After`, the whole seconds until the bucket holds a request again.
///
/// Keyed by address, not by token: the server has one token, shared by all its clients, so a
/// token does not tell clients apart. Behind a reverse proxy every client has the proxy's
/// address: limit there instead, or set `--rate-limit 0`. Loopback clients pass unless
/// `--rate-limit-loopback true`. Buckets that have refilled are dropped, so the table holds only
/// clients seen within the last burst's worth of time.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    let buckets: TokenBuckets
    let limitsLoopback: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // No address: no socket, a request made in-process (the router tests).
        if let address = context.remoteAddress, limitsLoopback || !address.isLoopback {
            let client = address.ipAddress ?? "unknown"
            if let wait = buckets.take(for: client, at: .now) {
                context.logger.notice("rate limited", metadata: ["client": "\(client)"])
                throw APIError.rateLimited(retryAfterSeconds: wait)
            }
        }
        return try await next(request, context)
    }
}

/// Token buckets by client key, behind one lock (a request holds it for a dictionary lookup).
final class TokenBuckets: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    let ratePerSecond: Double
    let burst: Double
    private let table = Mutex<[String: Bucket]>([:])

    init(ratePerSecond: Int, burst: Int) {
        self.ratePerSecond = Double(ratePerSecond)
        self.burst = Double(burst)
    }

    /// Takes one request from `key`'s bucket: `nil` when there was one, else the whole seconds
    /// until there will be.
    func take(for key: String, at now: ContinuousClock.Instant) -> Int? {
        table.withLock { table in
            if table.count > 10_000 { prune(&table, at: now) }
            var bucket = table[key] ?? Bucket(tokens: burst, updated: now)
            let elapsed = bucket.updated.duration(to: now)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            bucket.tokens = min(burst, bucket.tokens + seconds * ratePerSecond)
            bucket.updated = now
            defer { table[key] = bucket }
            guard bucket.tokens >= 1 else {
                return max(1, Int(((1 - bucket.tokens) / ratePerSecond).rounded(.up)))
            }
            bucket.tokens -= 1
            return nil
        }
    }

    /// Drops the buckets that are full again: forgetting them changes nothing.
    private func prune(_ table: inout [String: Bucket], at now: ContinuousClock.Instant) {
        let refill = Duration.seconds(burst / ratePerSecond)
        table = table.filter { $0.value.updated.duration(to: now) < refill }
    }
}

extension SocketAddress {
    /// 127.0.0.0/8, ::1, or an IPv4-mapped 127.x address; read from the raw address, since this
    /// runs for every request and `ipAddress` formats a string.
    var isLoopback: Bool {
        switch self {
        case .v4(let ip):
            return UInt32(bigEndian: ip.address.sin_addr.s_addr) >> 24 == 127
        case .v6(let ip):
            let bytes = withUnsafeBytes(of: ip.address.sin6_addr) { Array($0) }
            let mappedIPv4 = bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xFF && bytes[11] == 0xFF
            return bytes[0..<15].allSatisfy { $0 == 0 } && bytes[15] == 1 || mappedIPv4 && bytes[12] == 127
        case .unixDomainSocket:
            return true
        }
    }
}
