import Foundation
import HummingbirdTesting
import QlippyModel
import QlippyTestSupport
import Testing

@Suite("Users: POST /api/users, GET /api/users/{id}")
struct UserRouteTests {
    @Test func createReturnsTheNewUser() async throws {
        try await TestServer().run { client in
            let response = try await client.post("/api/users", #"{"username": "ada"}"#)
            #expect(response.status == .created)
            let user = try response.json
            #expect(user.string("username") == "ada")
            #expect(user.int("conversation_count") == 0)
            #expect(matches(user["id"], uuidPattern))
            #expect(matches(user["created_at"], wireTimestampPattern))
            #expect(user.object.keys.sorted() == ["conversation_count", "created_at", "id", "username"])
        }
    }

    @Test func getReturnsTheUserWithItsConversationCount() async throws {
        try await TestServer().run { client in
            let id = try await client.createUser("grace")
            _ = try await client.createConversation(user: id)
            _ = try await client.createConversation(user: id)
            let response = try await client.get("/api/users/\(id)")
            #expect(response.status == .ok)
            let user = try response.json
            #expect(user.string("id") == id)
            #expect(user.string("username") == "grace")
            #expect(user.int("conversation_count") == 2)
        }
    }

    @Test func uppercaseIDsFindTheSameUser() async throws {
        try await TestServer().run { client in
            let id = try await client.createUser()
            let response = try await client.get("/api/users/\(id.uppercased())")
            #expect(response.status == .ok)
            #expect(try response.json.string("id") == id)
        }
    }

    @Test func unknownUserIs404() async throws {
        try await TestServer().run { client in
            let response = try await client.get("/api/users/\(UUID().uuidString.lowercased())")
            #expect(response.status == .notFound)
            #expect(response.errorMessage == "User not found")
        }
    }

    @Test(arguments: [#"{}"#, #"{"username": ""}"#, #"{"username": "   "}"#, #"{"username": null}"#])
    func usernameIsRequired(body: String) async throws {
        let server = try TestServer()
        try await server.run { client in
            let response = try await client.post("/api/users", body)
            #expect(response.status == .badRequest)
            #expect(response.errorMessage == "Username is required")
        }
        #expect(try await server.rowCounts()["users"] == 0)
    }

    @Test func duplicateUsernameIs409() async throws {
        let server = try TestServer()
        try await server.run { client in
            _ = try await client.createUser("ada")
            let response = try await client.post("/api/users", #"{"username": "ada"}"#)
            #expect(response.status == .conflict)
            #expect(response.errorMessage == "Username already exists")
        }
        #expect(try await server.rowCounts()["users"] == 1)
    }

    @Test func usernameLengthCountsUnicodeScalars() async throws {
        try await TestServer().run { client in
            // 80 precomposed "é" are 160 UTF-8 bytes but 80 characters: accepted.
            let accepted = try await client.post("/api/users", #"{"username": "\#(String(repeating: "é", count: 80))"}"#)
            #expect(accepted.status == .created)
            let rejected = try await client.post("/api/users", #"{"username": "\#(String(repeating: "x", count: 81))"}"#)
            #expect(rejected.status == .badRequest)
            #expect(rejected.errorMessage == "username must be at most 80 characters")
        }
    }
}
