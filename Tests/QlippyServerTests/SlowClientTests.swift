import Foundation
import HummingbirdTesting
import Testing

/// Clients that stall or send oversized heads do not keep a connection.
@Suite("Slow and abusive clients")
struct SlowClientTests {
    /// A raw TCP connection to the server on `port`: sends `bytes`, then reads until the server
    /// closes it or `wait` passes. Returns what was read and whether the server closed it.
    static func exchange(port: Int, _ bytes: [UInt8], wait: Duration) async throws -> (reply: String, closed: Bool) {
        try await onOwnThread { try blockingExchange(port: port, bytes, wait: wait) }
    }

    private static func blockingExchange(port: Int, _ bytes: [UInt8], wait: Duration) throws -> (reply: String, closed: Bool) {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(socket >= 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(connected == 0)
        _ = bytes.withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        let deadline = ContinuousClock.now + wait
        var reply: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while ContinuousClock.now < deadline {
            var poll = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            guard Glibc.poll(&poll, 1, 100) > 0 else { continue }
            let count = recv(socket, &buffer, buffer.count, 0)
            if count <= 0 { return (String(decoding: reply, as: UTF8.self), true) }
            reply += buffer[0..<count]
        }
        return (String(decoding: reply, as: UTF8.self), false)
    }

    @Test func aStalledRequestIsClosedAfterTheIdleTimeout() async throws {
        try await TestServer(settings: ["idleTimeout": "1"]).run(.live) { client in
            let port = try #require(client.port)
            let started = ContinuousClock.now
            let stalled = try await Self.exchange(port: port, Array("GET /api/health HTTP/1.1\r\nHost: x\r\n".utf8), wait: .seconds(5))
            #expect(stalled.closed)
            #expect(started.duration(to: .now) < .seconds(4))
            let answered = try await Self.exchange(
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
            let served = try await Self.exchange(port: port, head(kilobytes: 16), wait: .seconds(5))
            #expect(served.reply.hasPrefix("HTTP/1.1 200"), "16 KB of headers is within the limit")
            let refused = try await Self.exchange(port: port, head(kilobytes: 48), wait: .seconds(3))
            #expect(refused.closed)
            #expect(!refused.reply.hasPrefix("HTTP/1.1 200"))
            let response = try await client.get("/api/health")
            #expect(response.status == .ok, "the server is still healthy")
        }
    }
}
