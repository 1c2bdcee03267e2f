import Foundation
import QlippyModel
import QlippyTestSupport
import Synchronization
import Testing

/// A client of `GET /api/users/{id}/events` on a raw socket read by a thread of its own: it
/// collects the stream as it arrives, and can hold off reading to play a stalled consumer.
final class EventStreamClient: Sendable {
    struct Event: Equatable {
        var id: String?
        var event: String
        var data: String

        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(data.utf8))) as? [String: Any] ?? [:]
        }
    }

    private let socket: Int32
    private let received = Mutex<[UInt8]>([])
    private let reading = Atomic<Bool>(false)
    private let ended = Atomic<Bool>(false)

    /// Connects and sends the request; reads at once unless `reading` is false.
    init(port: Int, userID: String, lastEventID: String? = nil, query: String? = nil, reading: Bool = true) throws {
        socket = try RawHTTP.connect(port: port)
        var head =
            "GET /api/users/\(userID)/events\(query.map { "?" + $0 } ?? "") HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n"
        if let lastEventID { head += "Last-Event-ID: \(lastEventID)\r\n" }
        let bytes = Array((head + "\r\n").utf8)
        _ = bytes.withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        if reading { startReading() }
    }

    deinit {
        Glibc.close(socket)
    }

    func startReading() {
        guard !reading.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let socket = socket
        Thread.detachNewThread { [self] in
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = recv(socket, &buffer, buffer.count, 0)
                guard count > 0 else { break }
                received.withLock { $0 += buffer[0..<count] }
            }
            ended.store(true, ordering: .releasing)
        }
    }

    /// Ends the connection (the reading thread sees its end); the descriptor is closed with the client.
    func close() {
        shutdown(socket, Int32(SHUT_RDWR))
    }

    /// Whether the server has ended the stream: its last (empty) chunk arrived, or the connection closed.
    var isEnded: Bool { ended.load(ordering: .acquiring) || dechunked.complete }

    /// The response head (status line and headers).
    var head: String {
        let text = String(decoding: received.withLock { $0 }, as: UTF8.self)
        return text.components(separatedBy: "\r\n\r\n").first ?? ""
    }

    /// The body so far, its chunks joined (the stream is sent chunked).
    var body: String { dechunked.body }

    private var dechunked: (body: String, complete: Bool) {
        let bytes = received.withLock { $0 }
        let text = String(decoding: bytes, as: UTF8.self)
        guard let start = text.range(of: "\r\n\r\n")?.upperBound else { return ("", false) }
        var rest = Substring(text[start...])
        var body = ""
        while let lineEnd = rest.range(of: "\r\n") {
            guard let size = Int(rest[rest.startIndex..<lineEnd.lowerBound], radix: 16) else { break }
            if size == 0 { return (body, true) }
            let chunk = rest[lineEnd.upperBound...]
            guard chunk.utf8.count >= size + 2 else { break }
            let end = chunk.utf8.index(chunk.startIndex, offsetBy: size)
            body += chunk[chunk.startIndex..<end]
            rest = chunk[chunk.utf8.index(end, offsetBy: 2)...]
        }
        return (body, false)
    }

    /// The complete events so far, in order (comments left out).
    var events: [Event] {
        body.components(separatedBy: "\n\n").dropLast().compactMap { block in
            var event = Event(id: nil, event: "message", data: "")
            var isEvent = false
            for line in block.split(separator: "\n", omittingEmptySubsequences: true) where !line.hasPrefix(":") {
                let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2 else { continue }
                isEvent = true
                switch parts[0] {
                case "id": event.id = parts[1]
                case "event": event.event = parts[1]
                case "data": event.data = parts[1]
                default: break
                }
            }
            return isEvent ? event : nil
        }
    }

    /// Waits until `condition` holds for what arrived, up to `timeout`; returns the events then.
    @discardableResult
    func wait(
        _ timeout: Duration = .seconds(10), sourceLocation: SourceLocation = #_sourceLocation, until condition: (EventStreamClient) -> Bool
    ) async throws -> [Event] {
        let deadline = ContinuousClock.now + timeout
        while !condition(self) {
            guard ContinuousClock.now < deadline else {
                Issue.record("waited \(timeout) in vain; the stream so far: \(body)", sourceLocation: sourceLocation)
                return events
            }
            try await Task.sleep(for: .milliseconds(2))
        }
        return events
    }

    /// Waits for the stream to open (its first comment) on the server.
    func opened() async throws {
        try await wait { $0.body.hasPrefix(": events of this user follow") }
    }
}
