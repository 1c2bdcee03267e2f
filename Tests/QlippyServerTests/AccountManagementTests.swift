import Foundation
import HTTPTypes
import HummingbirdTesting
import QlippyTestSupport
import Testing

@testable import QlippyServer

/// Accounts mode: API keys, admins managing accounts, and what a disabled account can still do.
@Suite("Accounts, keys and admins")
struct AccountManagementTests {
    /// Signs up `root` and makes them an admin, as `qlippy-server users add --admin` would.
    static func admin(_ client: some TestClientProtocol, on server: TestServer) async throws -> SignedInUser {
        let root = try await client.signUp("root")
        try await server.execute("UPDATE accounts SET role = 'admin' WHERE user_id = ?", [root.id])
        return root
    }

    @Test func keysAreShownOnceListedWithoutSecretsAndRevokedAtOnce() async throws {
        try await Accounts.server().run { client in
            let ada = try await client.signUp("ada")
            let (id, key) = try await client.createKey(for: ada, name: "laptop")
            #expect(key.hasPrefix("qlp_") && key.count >= 4 + 43, "qlp_ and 256 bits of base64url")
            #expect(try await client.send(.get, "/api/users/\(ada.id)/conversations", bearer: key).status == .ok)
            let listed = try await client.send(.get, "/api/auth/keys", bearer: ada.accessToken)
            let keys = try listed.json.array
            #expect(
                keys.count == 1 && keys.first?["name"] as? String == "laptop" && keys.first?["prefix"] as? String == String(key.prefix(8)))
            #expect(keys.first?["last_used_at"] is String, "the use was noted")
            #expect(!String(buffer: listed.body).contains(key) && keys.first?["key"] == nil)
            #expect(try await client.send(.delete, "/api/auth/keys/\(id)", bearer: ada.accessToken).status == .ok)
            let revoked = try await client.send(.get, "/api/users/\(ada.id)/conversations", bearer: key)
            #expect(revoked.status == .unauthorized)
            #expect(try await client.send(.get, "/api/users/\(ada.id)", bearer: "qlp_made-up-key").status == .unauthorized)
        }
    }

    /// A key the server has seen is read again on every request, with the resource it asks for:
    /// its holder disabled, or the key revoked, fails at once on every kind of route.
    @Test func aKnownKeyIsReadAgainOnEveryRequest() async throws {
        let server = try Accounts.server()
        try await server.run { client in
            let root = try await Self.admin(client, on: server)
            let ada = try await client.signUp("ada")
            let bea = try await client.signUp("bea")
            let (id, key) = try await client.createKey(for: ada)
            let made = try await client.send(.post, "/api/users/\(ada.id)/conversations", bearer: key, "{}")
            let conversation = try #require(try made.json.string("id"))
            let message = try await client.send(
                .post, "/api/conversations/\(conversation)/messages", bearer: key, #"{"role": "user", "content": "hi"}"#)
            let messageID = try #require(try message.json.string("id"))
            #expect(try await client.send(.get, "/api/conversations/\(conversation)", bearer: key).status == .ok)
            let edited = try await client.send(.put, "/api/messages/\(messageID)", bearer: key, #"{"content": "hello"}"#)
            #expect(edited.status == .ok)
            let foreign = try await client.send(.get, "/api/users/\(bea.id)/conversations", bearer: key)
            #expect(foreign.status == .notFound && foreign.errorMessage == "User not found")
            let missing = try await client.send(.get, "/api/conversations/\(UUID().uuidString.lowercased())", bearer: key)
            #expect(missing.status == .notFound && missing.errorMessage == "Conversation not found")

            #expect(try await client.send(.patch, "/api/users/\(ada.id)", bearer: root.accessToken, #"{"disabled": true}"#).status == .ok)
            for path in ["/api/conversations/\(conversation)", "/api/users/\(ada.id)", "/api/auth/me", "/api/health"] {
                #expect(try await client.send(.get, path, bearer: key).status == .unauthorized, "\(path)")
            }
            #expect(try await client.send(.patch, "/api/users/\(ada.id)", bearer: root.accessToken, #"{"disabled": false}"#).status == .ok)
            #expect(try await client.send(.get, "/api/conversations/\(conversation)", bearer: key).status == .ok)

            #expect(try await client.send(.delete, "/api/auth/keys/\(id)", bearer: ada.accessToken).status == .ok)
            for path in ["/api/conversations/\(conversation)", "/api/auth/me", "/api/health"] {
                #expect(try await client.send(.get, path, bearer: key).status == .unauthorized, "\(path)")
            }
            #expect(try await client.send(.get, "/api/conversations/\(conversation)", bearer: ada.accessToken).status == .ok)
        }
    }

    @Test func anExpiredKeyFailsAndAPastExpiryIsRefused() async throws {
        let server = try Accounts.server()
        try await server.run { client in
            let ada = try await client.signUp("ada")
            let past = try await client.send(
                .post, "/api/auth/keys", bearer: ada.accessToken, #"{"name": "old", "expires_at": "2020-01-01T00:00:00Z"}"#)
            #expect(past.status == .badRequest && past.errorMessage == "expires_at must be in the future")
            let (id, key) = try await client.createKey(for: ada, expiresAt: "2999-01-01T00:00:00Z")
            #expect(try await client.send(.get, "/api/users/\(ada.id)", bearer: key).status == .ok)
            try await server.execute("UPDATE api_keys SET expires_at = '2020-01-01 00:00:00.000000' WHERE id = ?", [id])
            #expect(try await client.send(.get, "/api/users/\(ada.id)", bearer: key).status == .unauthorized)
        }
    }

    @Test func aKeyRevokedOnOneServerFailsOnTheOtherAtOnce() async throws {
        let first = try Accounts.server()
        try await first.run(.live) { one in
            let ada = try await one.signUp("ada")
            let (id, key) = try await one.createKey(for: ada)
            try await first.onSameDatabase().run(.live) { (two: any TestClientProtocol) async throws -> Void in
                #expect(try await two.send(.get, "/api/users/\(ada.id)", bearer: key).status == .ok)
                #expect(try await two.send(.get, "/api/users/\(ada.id)", bearer: ada.accessToken).status == .ok, "one secret for both")
                #expect(try await one.send(.delete, "/api/auth/keys/\(id)", bearer: ada.accessToken).status == .ok)
                #expect(try await two.send(.get, "/api/users/\(ada.id)", bearer: key).status == .unauthorized)
            }
        }
    }

    @Test func adminsManageAccountsAndOthersGet403() async throws {
        let server = try Accounts.server(["signup": "closed"])
        try await server.run { client in
            let closed = try await client.post("/api/users", #"{"username": "eve", "password": "\#(Accounts.password)"}"#)
            #expect(closed.status == .unauthorized, "closed sign-up needs an admin")
            try await server.execute("UPDATE accounts SET role = 'admin' WHERE 1 = 0")
        }
        let open = try Accounts.server()
        try await open.run { client in
            let root = try await Self.admin(client, on: open)
            let ada = try await client.signUp("ada")
            #expect(try await client.send(.get, "/api/users", bearer: ada.accessToken).status == .forbidden)
            let list = try await client.send(.get, "/api/users", bearer: root.accessToken).json.array
            #expect(list.map { $0["username"] as? String } == ["root", "ada"])
            #expect(list.map { $0["role"] as? String } == ["admin", "user"])
            let made = try await client.send(
                .post, "/api/users", bearer: root.accessToken, #"{"username": "bea", "password": "\#(Accounts.password)", "role": "admin"}"#
            )
            #expect(try made.json.string("role") == "admin")
            // Disabling works at once on tokens and keys; enabling again restores them.
            let key = try await client.createKey(for: ada).key
            #expect(try await client.send(.patch, "/api/users/\(ada.id)", bearer: root.accessToken, #"{"disabled": true}"#).status == .ok)
            for credential in [ada.accessToken, key] {
                #expect(try await client.send(.get, "/api/users/\(ada.id)", bearer: credential).status == .unauthorized)
                #expect(try await client.send(.get, "/api/auth/me", bearer: credential).status == .unauthorized)
            }
            #expect(
                try await client.post("/api/auth/login", #"{"username": "ada", "password": "\#(Accounts.password)"}"#).status
                    == .unauthorized)
            #expect(try await client.send(.patch, "/api/users/\(ada.id)", bearer: root.accessToken, #"{"disabled": false}"#).status == .ok)
            #expect(try await client.send(.get, "/api/users/\(ada.id)", bearer: key).status == .ok)
            // Admins read user records, but not chats without --admin-chat-access.
            #expect(try await client.send(.get, "/api/users/\(ada.id)", bearer: root.accessToken).status == .ok)
            let chats = try await client.send(.get, "/api/users/\(ada.id)/conversations", bearer: root.accessToken)
            #expect(chats.status == .notFound && chats.errorMessage == "User not found")
            #expect(try await client.send(.get, "/metrics", bearer: root.accessToken).status == .ok)
            #expect(try await client.send(.get, "/metrics", bearer: ada.accessToken).status == .forbidden)
        }
    }

    @Test func deletingAUserDeletesAllTheyOwnAndTheLastAdminStays() async throws {
        let server = try Accounts.server()
        try await server.run { client in
            let root = try await Self.admin(client, on: server)
            let ada = try await client.signUp("ada")
            let conversation = try await client.send(.post, "/api/users/\(ada.id)/conversations", bearer: ada.accessToken, "{}")
            let conversationID = try #require(try conversation.json.string("id"))
            _ = try await client.send(
                .post, "/api/conversations/\(conversationID)/messages", bearer: ada.accessToken, #"{"role": "user", "content": "hi"}"#)
            _ = try await client.send(.post, "/api/users/\(ada.id)/plugins", bearer: ada.accessToken, #"{"name": "p"}"#)
            let key = try await client.createKey(for: ada).key
            #expect(try await server.rowCounts() == ["users": 2, "conversations": 1, "messages": 1, "message_details": 0, "plugins": 1])
            #expect(try await client.send(.delete, "/api/users/\(ada.id)", bearer: ada.accessToken).status == .forbidden)
            #expect(try await client.send(.delete, "/api/users/\(ada.id)", bearer: root.accessToken).status == .ok)
            #expect(try await server.rowCounts() == ["users": 1, "conversations": 0, "messages": 0, "message_details": 0, "plugins": 0])
            #expect(try await client.send(.get, "/api/auth/me", bearer: key).status == .unauthorized)
            #expect(try await client.send(.get, "/api/auth/me", bearer: ada.accessToken).status == .unauthorized)
            let last = try await client.send(.patch, "/api/users/\(root.id)", bearer: root.accessToken, #"{"role": "user"}"#)
            #expect(last.status == .conflict && last.errorMessage == "The last enabled admin cannot be removed, disabled or demoted")
            #expect(try await client.send(.delete, "/api/users/\(root.id)", bearer: root.accessToken).status == .conflict)
        }
    }

    /// In accounts mode the rate limit keys on the user too, wherever they send from.
    @Test func eachUserHasARateLimitOfTheirOwn() async throws {
        try await Accounts.server(["rateLimit": "1", "rateLimitBurst": "3"]).run { client in
            let ada = try await client.signUp("ada")
            let bea = try await client.signUp("bea")
            // 12 requests at once-a-second refill: only a 9 s stall could let them all through.
            var answers: [TestResponse] = []
            for _ in 0..<12 { answers.append(try await client.send(.get, "/api/auth/me", bearer: ada.accessToken)) }
            #expect(answers.prefix(3).allSatisfy { $0.status == .ok }, "the burst")
            let limited = try #require(answers.first { $0.status == .tooManyRequests })
            #expect(limited.headers[.retryAfter] == "1" && limited.errorMessage == "Too many requests: try again in 1 s")
            #expect(try await client.send(.get, "/api/auth/me", bearer: bea.accessToken).status == .ok)
        }
    }

    @Test func adminChatAccessLetsAdminsReadOtherUsersChats() async throws {
        let server = try Accounts.server(["adminChatAccess": "true"])
        try await server.run { client in
            let root = try await Self.admin(client, on: server)
            let ada = try await client.signUp("ada")
            #expect(try await client.send(.get, "/api/users/\(ada.id)/conversations", bearer: root.accessToken).status == .ok)
            #expect(try await client.send(.get, "/api/users/\(root.id)/conversations", bearer: ada.accessToken).status == .notFound)
        }
    }
}
