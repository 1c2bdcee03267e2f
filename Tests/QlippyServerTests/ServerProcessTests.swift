import Foundation
import HummingbirdTesting
import NIOCore
import QlippyModel
import QlippyTestSupport
import Testing

/// The real executable as an operator runs it: startup log, request log, signals.
@Suite("Server process", .sqliteOnly)
struct ServerProcessTests {
    @Test(arguments: [SIGTERM, SIGINT])
    func startsLogsRequestsAndStopsCleanlyOnSignal(signal: Int32) async throws {
        let database = try makeTemporaryDirectory().appendingPathComponent("qlippy.db").path
        let server = try await ServerProcess(database: database)
        #expect(server.output.contains("store=SQLite \(database) (schema version 19)"))

        let secret = "top secret content 4242"
        try await LoopbackClient.withClient(port: server.port) { client in
            let user = try await client.post("/api/users", headers: jsonHeaders, body: ByteBuffer(string: #"{"username": "ops"}"#))
            let userID = try #require(try JSONDocument(user.body ?? ByteBuffer()).string("id"))
            let conversation = try await client.post(
                "/api/users/\(userID)/conversations", headers: jsonHeaders, body: ByteBuffer(string: "{}"))
            let conversationID = try #require(try JSONDocument(conversation.body ?? ByteBuffer()).string("id"))
            let message = try await client.post(
                "/api/conversations/\(conversationID)/messages", headers: jsonHeaders,
                body: ByteBuffer(string: #"{"role": "user", "content": "\#(secret)"}"#)
            )
            #expect(message.status == .created)
        }
        let logged = try await server.waitForOutput { $0.contains("/messages 201") }
        let requestLine = try #require(logged.split(separator: "\n").first { $0.contains("/messages 201") })
        #expect(requestLine.contains("POST /api/conversations/"))
        #expect(requestLine.contains("duration_ms="))
        #expect(requestLine.contains("hb.request.id="))

        #expect(try await server.stop(signal) == 0)
        let final = try await server.waitForOutput { $0.contains("database closed") }
        #expect(!final.contains(secret), "message content must not reach the log")
        let wal = try? FileManager.default.attributesOfItem(atPath: database + "-wal")[.size] as? Int
        #expect(wal == nil || wal == 0, "a clean close leaves no WAL to recover")
    }
}
