import Foundation
import HummingbirdTesting
import QlippyModel
import QlippyTestSupport
import Testing

/// Clients that stall or send oversized heads do not keep a connection.
@Suite("Slow and abusive clients")
struct SlowClientTests {
    /// A server on a SQLite file, on either run of the suite: these tests are about connections,
    /// and their timings (a 1 s idle timeout, a health check within 5 s) should not wait behind
    /// the PostgreSQL run's other tests for a pooled connection.
    static func server(_ settings: [String: String] = [:]) throws -> TestServer {
        try TestServer(databasePath: makeTemporaryDirectory().appendingPathComponent("qlippy.db").path, settings: settings)
    }

    @Test func aStalledRequestIsClosedAfterTheIdleTimeout() async throws {
        try await Self.server(["idleTimeout": "1"]).run(.live) { client in
            let port = try #require(client.port)
            let started = ContinuousClock.now
            let stalled = try await RawHTTP.exchange(
                port: port, Array("GET /api/health HTTP/1.1\r\nHost: localhost\r\n".utf8), wait: .seconds(5))
            #expect(stalled.closed)
            #expect(started.duration(to: .now) < .seconds(4))
            let answered = try await RawHTTP.exchange(
                port: port, Array("GET /api/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".utf8), wait: .seconds(5)
            )
            #expect(answered.reply.hasPrefix("HTTP/1.1 200"), "a whole request is still served")
        }
    }

    @Test func anOversizedHeadIsRefused() async throws {
        try await Self.server().run(.live) { client in
            let port = try #require(client.port)
            func head(kilobytes: Int) -> [UInt8] {
                let fillers = (0..<kilobytes / 8).map { "X-Filler-\($0): " + String(repeating: "a", count: 8 * 1024 - 20) + "\r\n" }
                return Array(("GET /api/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n" + fillers.joined() + "\r\n").utf8)
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
        try await Self.server(["maxConnections": "2"]).run(.live) { client in
            let port = try #require(client.port)
            // Each held connection is served once (and kept alive), so the server has surely counted
            // it: connections are set up on two event loops, in no guaranteed order.
            let held = try await onOwnThread { () throws -> [Int32] in
                try (0..<2).map { _ in
                    let socket = try RawHTTP.connect(port: port)
                    let request = Array("GET /api/health HTTP/1.1\r\nHost: localhost\r\n\r\n".utf8)
                    _ = request.withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    var buffer = [UInt8](repeating: 0, count: 4096)
                    _ = recv(socket, &buffer, buffer.count, 0)
                    return socket
                }
            }
            let refused = try await RawHTTP.exchange(port: port, RawHTTP.request("GET", "/api/health"), wait: .seconds(5))
            let answer = RawHTTP.parse(refused.reply)
            #expect(answer.status == 503)
            #expect(answer.headers.contains("Retry-After: 1"))
            #expect(answer.body == #"{"error":"Server is at its limit of 2 connections; try again shortly"}"#)
            #expect(refused.closed)
            for socket in held { close(socket) }
            // The server notices the closes on its own time; a busy machine may take a while.
            var status: Int?
            for _ in 0..<50 where status != 200 {
                try await Task.sleep(for: .milliseconds(100))
                status =
                    RawHTTP.parse(try await RawHTTP.exchange(port: port, RawHTTP.request("GET", "/api/health"), wait: .seconds(5)).reply)
                    .status
            }
            #expect(status == 200, "served again once connections close")
        }
    }

    /// Slowloris: a byte every 200 ms. A trickled head is closed by the idle timeout (it counts whole
    /// request parts, not bytes); a trickled body by the request timeout.
    @Test(arguments: [("head", ["idleTimeout": "1"]), ("body", ["requestTimeout": "1"])])
    func aTrickleIsClosed(part: String, settings: [String: String]) async throws {
        try await Self.server(settings).run(.live) { client in
            let port = try #require(client.port)
            let started = ContinuousClock.now
            let closed = try await onOwnThread { () throws -> Bool in
                let socket = try RawHTTP.connect(port: port)
                defer { close(socket) }
                var bytes = Array(
                    "POST /api/users HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n".utf8)
                if part == "body" {
                    _ = bytes.withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    bytes = Array(#"{"username": "\#(String(repeating: "a", count: 90))"}"#.utf8)
                }
                for byte in bytes {
                    guard send(socket, [byte], 1, Int32(MSG_NOSIGNAL)) == 1 else { return true }
                    var poll = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
                    if Glibc.poll(&poll, 1, 200) > 0 {
                        var buffer = [UInt8](repeating: 0, count: 512)
                        if recv(socket, &buffer, buffer.count, 0) <= 0 { return true }
                    }
                }
                return false
            }
            #expect(closed, "the \(part) trickle was closed before it was complete")
            #expect(started.duration(to: .now) < .seconds(5))
            // A new connection: the test client's own may have idled past a 1 s idle timeout.
            let health = try await RawHTTP.exchange(port: port, RawHTTP.request("GET", "/api/health"), wait: .seconds(5))
            #expect(RawHTTP.parse(health.reply).status == 200)
        }
    }
}
