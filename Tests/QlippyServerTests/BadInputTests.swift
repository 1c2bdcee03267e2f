import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import QlippyModel
import QlippyTestSupport
import Testing

/// The issue's bad-input list, one case each: status, JSON body, nothing written.
@Suite("Bad input never reaches a 5xx and writes nothing")
struct BadInputTests {
    /// What exists before the bad request: a user with one conversation.
    struct Planted {
        var user: String
        var conversation: String
    }

    /// Creates a user, runs `request`, checks status and message, and that no row was added anywhere.
    private func expectRefused(
        _ status: HTTPResponse.Status, _ message: String, settings: [String: String] = [:],
        _ request: @escaping @Sendable (any TestClientProtocol, Planted) async throws -> TestResponse
    ) async throws {
        let server = try TestServer(settings: settings)
        let before = try await server.run { client in
            let user = try await client.createUser()
            let conversation = try await client.createConversation(user: user)
            let counts = try await server.rowCounts()
            let response = try await request(client, Planted(user: user, conversation: conversation))
            #expect(response.status == status)
            #expect(response.errorMessage == message)
            return counts
        }
        #expect(try await server.rowCounts() == before)
    }

    @Test func malformedJSON() async throws {
        try await expectRefused(.badRequest, "Request body is not valid JSON") { client, _ in
            try await client.post("/api/users", #"{"username": "#)
        }
    }

    @Test func invalidUTF8() async throws {
        try await expectRefused(.badRequest, "Request body is not valid JSON") { client, _ in
            try await client.executeRequest(
                uri: "/api/users", method: .post, headers: jsonHeaders,
                body: ByteBuffer(bytes: Array(#"{"username": ""#.utf8) + [0xFF, 0xFE] + Array(#""}"#.utf8))
            )
        }
    }

    @Test(arguments: [#"["ada"]"#, #""ada""#, "42", "null", "true"])
    func bodyThatIsNotAnObject(body: String) async throws {
        try await expectRefused(.badRequest, "Request body must be a JSON object") { client, _ in
            try await client.post("/api/users", body)
        }
    }

    @Test func missingContentType() async throws {
        try await expectRefused(.unsupportedMediaType, "Content-Type must be application/json") { client, _ in
            try await client.post("/api/users", #"{"username": "x"}"#, headers: [:])
        }
    }

    @Test func wrongContentType() async throws {
        try await expectRefused(.unsupportedMediaType, "Content-Type must be application/json") { client, planted in
            try await client.post(
                "/api/conversations/\(planted.conversation)/messages", #"{"role": "user", "content": "x"}"#,
                headers: [.contentType: "text/plain"])
        }
    }

    @Test func wrongFieldTypeTitle() async throws {
        try await expectRefused(.badRequest, "title must be a string") { client, planted in
            try await client.put("/api/conversations/\(planted.conversation)", #"{"title": 5}"#)
        }
    }

    @Test func wrongFieldTypeEnabled() async throws {
        try await expectRefused(.badRequest, "enabled must be a boolean") { client, planted in
            try await client.post("/api/users/\(planted.user)/plugins", #"{"name": "p", "enabled": "yes"}"#)
        }
    }

    @Test func overLongTitle() async throws {
        try await expectRefused(.badRequest, "title must be at most 200 characters") { client, planted in
            try await client.put("/api/conversations/\(planted.conversation)", #"{"title": "\#(String(repeating: "t", count: 201))"}"#)
        }
    }

    @Test func overLongFolder() async throws {
        try await expectRefused(.badRequest, "folder must be at most 100 characters") { client, planted in
            try await client.put("/api/conversations/\(planted.conversation)", #"{"folder": "\#(String(repeating: "f", count: 101))"}"#)
        }
    }

    @Test func overLongPluginName() async throws {
        try await expectRefused(.badRequest, "name must be at most 100 characters") { client, planted in
            try await client.post("/api/users/\(planted.user)/plugins", #"{"name": "\#(String(repeating: "n", count: 101))"}"#)
        }
    }

    @Test func emptyRequiredString() async throws {
        try await expectRefused(.badRequest, "Username is required") { client, _ in
            try await client.post("/api/users", #"{"username": ""}"#)
        }
    }

    @Test(arguments: ["not-a-uuid", "1234", "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz", "undefined"])
    func idThatIsNotAUUID(id: String) async throws {
        try await expectRefused(.badRequest, "conversation_id must be a UUID") { client, _ in
            try await client.post("/api/conversations/\(id)/messages", #"{"role": "user", "content": "x"}"#)
        }
    }

    @Test func unknownRoute() async throws {
        try await expectRefused(.notFound, "Not found") { client, _ in
            try await client.post("/api/conversation", "{}")
        }
    }

    @Test func wrongMethod() async throws {
        try await expectRefused(.methodNotAllowed, "Method PATCH is not allowed on /api/plugins/x; allowed: PUT, DELETE") { client, _ in
            try await client.executeRequest(uri: "/api/plugins/x", method: .patch, headers: jsonHeaders, body: ByteBuffer(string: "{}"))
        }
    }

    @Test func bodyOverTheLimit() async throws {
        try await expectRefused(.contentTooLarge, "Request body is larger than the limit of 1024 bytes", settings: ["maxBodySize": "1024"])
        { client, planted in
            try await client.post(
                "/api/conversations/\(planted.conversation)/messages",
                #"{"role": "user", "content": "\#(String(repeating: "x", count: 2_000))"}"#
            )
        }
    }
}
