import Foundation
import HummingbirdTesting
import NIOCore
import QlippyModel
import QlippyTestSupport
import Testing

@testable import QlippyServer

/// Per-client rate limiting: a burst beyond the bucket gets 429 JSON with `Retry-After`, and the
/// client is served again after waiting that long.
@Suite("Rate limit")
struct RateLimitTests {
    @Test func aBurstBeyondTheBucketIs429UntilRetryAfterPasses() async throws {
        let settings = ["rateLimit": "1", "rateLimitBurst": "5", "rateLimitLoopback": "true"]
        try await TestServer(settings: settings).run(.live) { client in
            // How many pass depends on how long the burst takes (the bucket refills 1 a second,
            // and the machine may be busy): the burst's 5, plus one per second it lasted.
            let started = ContinuousClock.now
            var statuses: [Int] = []
            for _ in 0..<12 {
                statuses.append(Int(try await client.get("/api/health").status.code))
            }
            let lasted = started.duration(to: .now).components.seconds
            let served = statuses.filter { $0 == 200 }.count
            #expect(statuses.allSatisfy { $0 == 200 || $0 == 429 }, "\(statuses)")
            #expect(served >= 5 && served <= 5 + Int(lasted) + 1, "\(statuses) in \(lasted) s")
            #expect(statuses.prefix(5).allSatisfy { $0 == 200 }, "\(statuses)")

            var refused = try await client.get("/api/health")
            for _ in 0..<20 where refused.status == .ok { refused = try await client.get("/api/health") }
            #expect(refused.status == .tooManyRequests)
            let wait = try #require(refused.headers[.retryAfter].flatMap(Int.init))
            #expect(wait == 1)
            #expect(refused.errorMessage == "Too many requests: try again in 1 s")
            try await Task.sleep(for: .seconds(wait))
            #expect(try await client.get("/api/health").status == .ok, "served again after Retry-After")
        }
    }

    @Test func loopbackIsNotLimitedByDefault() async throws {
        try await TestServer(settings: ["rateLimit": "1", "rateLimitBurst": "1"]).run(.live) { client in
            for _ in 0..<10 {
                let response = try await client.get("/api/health")
                #expect(response.status == .ok)
            }
        }
    }

    @Test func bucketsRefillAtTheRateAndKeepClientsApart() {
        let buckets = TokenBuckets(ratePerSecond: 4, burst: 2)
        let start = ContinuousClock.now
        #expect(buckets.take(for: "a", at: start) == nil)
        #expect(buckets.take(for: "a", at: start) == nil)
        #expect(buckets.take(for: "a", at: start) == 1)
        #expect(buckets.take(for: "b", at: start) == nil, "another client has its own bucket")
        #expect(buckets.take(for: "a", at: start + .milliseconds(250)) == nil, "a quarter second refills one at 4/s")
        #expect(buckets.take(for: "a", at: start + .milliseconds(250)) == 1)
    }

    @Test(arguments: [
        ("127.0.0.1", true), ("127.255.0.9", true), ("::1", true), ("::ffff:127.0.0.1", true),
        ("10.0.0.1", false), ("128.0.0.1", false), ("::2", false), ("::ffff:10.0.0.1", false), ("fe80::1", false),
    ])
    func loopbackAddressesAreRecognised(ip: String, loopback: Bool) throws {
        #expect(try SocketAddress(ipAddress: ip, port: 1).isLoopback == loopback)
    }
}
