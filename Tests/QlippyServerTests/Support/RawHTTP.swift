import Foundation
import QlippyModel
import QlippyTestSupport
import Testing

/// HTTP/1.1 over a plain TCP socket, for requests no HTTP client library would send.
enum RawHTTP {
    /// Connects to the server on `port`, sends `bytes`, then reads until the server closes the
    /// connection or `wait` passes. Returns what was read and whether the server closed it.
    static func exchange(port: Int, _ bytes: [UInt8], wait: Duration) async throws -> (reply: String, closed: Bool) {
        try await onOwnThread { try blockingExchange(port: port, bytes, wait: wait) }
    }

    /// A request with `Connection: close` and, when there is a body, its `Content-Length`.
    static func request(_ method: String, _ target: String, headers: [String] = [], body: [UInt8]? = nil) -> [UInt8] {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
        for header in headers { head += header + "\r\n" }
        if let body { head += "Content-Length: \(body.count)\r\n" }
        return Array((head + "\r\n").utf8) + (body ?? [])
    }

    /// The status code and body of a reply.
    static func parse(_ reply: String) -> (status: Int?, headers: String, body: String) {
        let parts = reply.components(separatedBy: "\r\n\r\n")
        let head = parts.first ?? ""
        let status = head.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) }
        return (status, head, parts.dropFirst().joined(separator: "\r\n\r\n"))
    }

    /// An open TCP connection to 127.0.0.1:`port` (a file descriptor: `close` it).
    static func connect(port: Int) throws -> Int32 {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(socket >= 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if connected != 0 { close(socket) }
        try #require(connected == 0)
        return socket
    }

    private static func blockingExchange(port: Int, _ bytes: [UInt8], wait: Duration) throws -> (reply: String, closed: Bool) {
        let socket = try connect(port: port)
        defer { close(socket) }
        // The server may answer (and close) before it has read everything, e.g. a body over the
        // limit: a failed send is not the test's concern, the reply is.
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
}
