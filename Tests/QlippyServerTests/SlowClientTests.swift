import Foundation
import HummingbirdTesting
import Testing

/// Clients that stall or send oversized heads do not keep a connection.
@Suite("Slow and abusive clients")
struct SlowClientTests {
    @Test func aStalledRequestIsClosedAfterTheIdleTimeout() async throws {
        try await TestServer(settings: ["idleTimeout": "1"]).run(.live) { client in
            let port = try #require(client.port)
            let started = ContinuousClock.now
            let stalled = try await RawHTTP.exchange(port: port, Array("GET /api/health HTTP/1.1\r\nHost: x\r\n".utf8), wait: .seconds(5))
            #expect(stalled.closed)
            #expect(started.duration(to: .now) < .seconds(4))
            let answered = try await RawHTTP.exchange(
                port: port, Array("GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8), wait: .seconds(5)
            )
            #expect(answered.reply.hasPrefix("HTTP/1.1 200"), "a whole request is still served")
        }
    }

    @Test func anOversizedHeadIsRefused() async throws {
        try await TestServer().run(.live) { client in
            let port = try #require(client.port)
            func head(kilobytes: Int) -> [UInt8] {
                let fillers = (0..<kilobytes / 8).map { "X-Filler-\($0): " + String(repeating: "a", count: 8 * 1024 - 20) + "\r\n" }
                return Array(("GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + fillers.joined() + "\r\n").utf8)
            }
            let served = try await RawHTTP.exchange(port: port, head(kilobytes: 16), wait: .seconds(5))
            #expect(served.reply.hasPrefix("HTTP/1.1 200"), "16 KB of headers is within the limit")
            let refused = try await RawHTTP.exchange(port: port, head(kilobytes: 48), wait: .seconds(3))
            #expect(refused.closed)
            let answer = RawHTTP.parse(refused.reply)
            #expect(answer.status == 431)
            #expect(answer.body == #"{"error":"Request line and headers are larger than the limit of 32 KB or 100 fields"}"#)
            let response = try await client.get("/api/health")
            #expect(response.status == .ok, "the server is still healthy")
        }
    }

    @Test func connectionsBeyondTheCapAre503JSON() async throws {
        try await TestServer(settings: ["maxConnections": "2"]).run(.live) { client in
            let port = try #require(client.port)
            let held = try (0..<2).map { _ in try RawHTTP.connect(port: port) }
            try await Task.sleep(for: .milliseconds(200))
            let refused = try await RawHTTP.exchange(port: port, RawHTTP.request("GET", "/api/health"), wait: .seconds(5))
            let answer = RawHTTP.parse(refused.reply)
            #expect(answer.status == 503)
            #expect(answer.headers.contains("Retry-After: 1"))
            #expect(answer.body == #"{"error":"Server is at its limit of 2 connections; try again shortly"}"#)
            #expect(refused.closed)
            for socket in held { close(socket) }
            try await Task.sleep(for: .milliseconds(200))
            let served = try await RawHTTP.exchange(port: port, RawHTTP.request("GET", "/api/health"), wait: .seconds(5))
            #expect(RawHTTP.parse(served.reply).status == 200, "served again once connections close")
        }
    }
}
