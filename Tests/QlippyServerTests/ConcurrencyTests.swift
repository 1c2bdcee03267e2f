import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import QlippyModel
import QlippyTestSupport
import Testing

/// Against a live server on a real port, each simulated client on its own connection.
@Suite("Concurrency on a live server")
struct ConcurrencyTests {
    @Test func eightClientsTimesFiftyMessagesLoseNothing() async throws {
        let server = try TestServer()
        try await server.run(.live) { client in
            let port = try #require(client.port)
            let user = try await client.createUser()
            let conversation = try await client.createConversation(user: user)
            let statuses = try await withThrowingTaskGroup(of: [HTTPResponse.Status].self) { group in
                for clientIndex in 0..<8 {
                    group.addTask {
                        try await LoopbackClient.withClient(port: port) { connection in
                            var statuses: [HTTPResponse.Status] = []
                            for messageIndex in 0..<50 {
                                let response = try await connection.post(
                                    "/api/conversations/\(conversation)/messages", headers: jsonHeaders,
                                    body: ByteBuffer(
                                        string: #"{"role": "user", "content": "client \#(clientIndex) message \#(messageIndex)"}"#)
                                )
                                statuses.append(response.status)
                            }
                            return statuses
                        }
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(statuses.count == 400)
            #expect(statuses.allSatisfy { $0 == .created }, "\(Dictionary(grouping: statuses, by: \.code).mapValues(\.count))")
            let detail = try await client.get("/api/conversations/\(conversation)").json
            #expect(detail.int("message_count") == 400)
            let messages = detail["messages"] as? [[String: Any]] ?? []
            #expect(Set(messages.compactMap { $0["id"] as? String }).count == 400)
            #expect(Set(messages.compactMap { $0["content"] as? String }).count == 400)
        }
        #expect(try await server.rowCounts()["messages"] == 400)
    }

    @Test func eightCreationsOfOneUsernameGiveOne201AndSeven409() async throws {
        let server = try TestServer()
        try await server.run(.live) { client in
            let port = try #require(client.port)
            let answers = try await withThrowingTaskGroup(of: (HTTPResponse.Status, String).self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        try await LoopbackClient.withClient(port: port) { connection in
                            let response = try await connection.post(
                                "/api/users", headers: jsonHeaders, body: ByteBuffer(string: #"{"username": "same"}"#)
                            )
                            return (response.status, String(buffer: response.body ?? ByteBuffer()))
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(answers.filter { $0.0 == .created }.count == 1)
            let conflicts = answers.filter { $0.0 == .conflict }
            #expect(conflicts.count == 7)
            #expect(conflicts.allSatisfy { $0.1 == #"{"error":"Username already exists"}"# })
        }
        #expect(try await server.rowCounts()["users"] == 1)
    }

    @Test func liveServerAnswersTheWholeFlow() async throws {
        try await TestServer().run(.live) { client in
            let user = try await client.createUser("live")
            let conversation = try await client.createConversation(user: user, #"{"title": "over TCP"}"#)
            try await client.addMessage(to: conversation, "hello over a socket")
            let list = try await client.get("/api/users/\(user)/conversations").json.array
            #expect(list.first?["last_message_preview"] as? String == "hello over a socket")
            #expect(try await client.delete("/api/conversations/\(conversation)").status == .ok)
            #expect(try await client.get("/api/users/\(user)").json.int("conversation_count") == 0)
        }
    }
}
