import ArgumentParser
import Hummingbird
import Synchronization

/// `qlippy-bench ceiling`: the fastest this HTTP stack answers on this machine, to measure against.
///
/// `/api/health` is the server's own health shape without the database round trip;
/// `/bytes/N` answers a pre-encoded JSON body of N bytes, the cost of sending a response that size.
struct Ceiling: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the HTTP ceiling for benchmarks.")

    @Option var port = 5090

    func run() async throws {
        let router = Router()
        let health = ByteBuffer(
            string: #"{"status":"healthy","message":"Qlippy backend is running","timestamp":"2026-11-25T00:00:00.000000Z"}"#)
        router.get("/api/health") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: health))
        }
        let bodies = Bodies()
        router.get("/bytes/:size") { _, context in
            let size = min(max(context.parameters.get("size", as: Int.self) ?? 0, 2), 50_000_000)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: bodies.body(size: size)))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
        try await app.runService()
    }
}

/// Pre-encoded bodies by size, built once.
final class Bodies: Sendable {
    private let cache = Mutex<[Int: ByteBuffer]>([:])

    func body(size: Int) -> ByteBuffer {
        cache.withLock { cache in
            if let body = cache[size] { return body }
            let body = ByteBuffer(string: "[" + String(repeating: " ", count: size - 2) + "]")
            cache[size] = body
            return body
        }
    }
}
