import Foundation
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing

/// The real executable as an operator runs it: startup log, request log, signals.
@Suite("Server process")
struct ServerProcessTests {
    /// Collects a pipe's output as it arrives.
    final class Output: Sendable {
        private let text = Mutex("")

        init(_ pipe: Pipe) {
            pipe.fileHandleForReading.readabilityHandler = { [self] handle in
                let chunk = String(decoding: handle.availableData, as: UTF8.self)
                text.withLock { $0 += chunk }
            }
        }

        var value: String { text.withLock { $0 } }

        /// Waits until `predicate` holds for the output so far, or fails after `seconds`.
        func wait(seconds: Double = 20, until predicate: (String) -> Bool) async throws -> String {
            let deadline = ContinuousClock.now + .seconds(seconds)
            while ContinuousClock.now < deadline {
                let current = value
                if predicate(current) { return current }
                try await Task.sleep(for: .milliseconds(50))
            }
            Issue.record("timed out waiting; output so far:\n\(value)")
            return value
        }
    }

    @Test(arguments: [SIGTERM, SIGINT])
    func startsLogsRequestsAndStopsCleanlyOnSignal(signal: Int32) async throws {
        let database = try makeTemporaryDirectory().appendingPathComponent("qlippy.db").path
        let process = Process()
        process.executableURL = CommandLineTests.binary
        process.arguments = ["--port", "0", "--database", database]
        let errorPipe = Pipe()
        process.standardError = errorPipe
        process.standardOutput = Pipe()
        let log = Output(errorPipe)
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        let startup = try await log.wait { $0.contains("listening") }
        let port = try #require(startup.firstMatch(of: #/address=http://127\.0\.0\.1:(\d+)/#).flatMap { Int($0.1) })
        #expect(startup.contains("store=SQLite \(database) (schema version 2)"))

        let secret = "top secret content 4242"
        try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
            let user = try await client.post("/api/users", headers: jsonHeaders, body: ByteBuffer(string: #"{"username": "ops"}"#))
            let userID = try #require(try JSONDocument(user.body ?? ByteBuffer()).string("id"))
            let conversation = try await client.post("/api/users/\(userID)/conversations", headers: jsonHeaders, body: ByteBuffer(string: "{}"))
            let conversationID = try #require(try JSONDocument(conversation.body ?? ByteBuffer()).string("id"))
            let message = try await client.post(
                "/api/conversations/\(conversationID)/messages", headers: jsonHeaders,
                body: ByteBuffer(string: #"{"role": "user", "content": "\#(secret)"}"#)
            )
            #expect(message.status == .created)
        }
        let logged = try await log.wait { $0.contains("/messages 201") }
        let requestLine = try #require(logged.split(separator: "\n").first { $0.contains("/messages 201") })
        #expect(requestLine.contains("POST /api/conversations/"))
        #expect(requestLine.contains("duration_ms="))
        #expect(requestLine.contains("hb.request.id="))

        kill(process.processIdentifier, signal)
        let final = try await log.wait { _ in !process.isRunning }
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(final.contains("database closed"))
        #expect(!final.contains(secret), "message content must not reach the log")
        let wal = try? FileManager.default.attributesOfItem(atPath: database + "-wal")[.size] as? Int
        #expect(wal == nil || wal == 0, "a clean close leaves no WAL to recover")
    }
}
