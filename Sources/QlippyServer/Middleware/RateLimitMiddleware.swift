import Hummingbird
import NIOCore
import Synchronization

/// Per-client rate limiting: a token bucket per client address, `--rate-limit` requests per second
/// on average with bursts of `--rate-limit-burst`; a request finding the bucket empty gets 429
/// with `Retry-After`, the whole seconds until the bucket holds a request again.
///
/// Keyed by address, since the one token of token mode does not tell clients apart; behind a
/// reverse proxy every client has the proxy's address: limit there instead, or set
/// `--rate-limit 0`. Loopback clients pass unless `--rate-limit-loopback true`. In accounts
/// mode a second limit keys on the signed-in user, wherever they send from. Buckets that have
/// refilled are dropped, so a table holds only clients seen within the last burst's worth of time.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    /// What a bucket belongs to.
    enum Key: Sendable {
        case address(limitsLoopback: Bool)
        /// The signed-in user (after ``AuthenticationMiddleware``); requests without one pass.
        case caller
    }

    let buckets: TokenBuckets
    let key: Key

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let client = client(context), let wait = buckets.take(for: client, at: .now) {
            context.logger.notice("rate limited", metadata: ["client": "\(client)"])
            throw APIError.rateLimited(retryAfterSeconds: wait)
        }
        return try await next(request, context)
    }

    /// The bucket's key for the request; `nil` when this limit does not apply to it (no address:
    /// no socket, a request made in-process by the router tests).
    private func client(_ context: Context) -> String? {
        switch key {
        case .address(let limitsLoopback):
            guard let address = context.remoteAddress, limitsLoopback || !address.isLoopback else { return nil }
            return address.ipAddress ?? "unknown"
        case .caller:
            return context.caller.map { "user " + $0.userID }
        }
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
