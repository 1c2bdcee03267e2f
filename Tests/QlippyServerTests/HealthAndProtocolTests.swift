import Foundation
import HTTPTypes
import HummingbirdTesting
import QlippyModel
import QlippyTestSupport
import Testing

@Suite("Health, unknown routes, methods, CORS")
struct HealthAndProtocolTests {
    @Test func healthReportsTheContractFields() async throws {
        try await TestServer().run { client in
            let response = try await client.get("/api/health")
            #expect(response.status == .ok)
            let health = try response.json
            #expect(health.string("status") == "healthy")
            #expect(health.string("message") == "Qlippy backend is running")
            #expect(matches(health["timestamp"], wireTimestampPattern))
            #expect(health.string("database") == "ok")
            #expect(health.int("search_index_behind") == 0)
            #expect(response.headers[HTTPField.Name("X-Request-Id")!]?.isEmpty == false)
        }
    }

    @Test(arguments: ["/api/nothing", "/", "/api/users/\(UUID().uuidString)/nothing"])
    func unknownRoutesAre404JSON(path: String) async throws {
        try await TestServer().run { client in
            let response = try await client.get(path)
            #expect(response.status == .notFound)
            #expect(response.errorMessage == "Not found")
        }
    }

    @Test func wrongMethodsAre405JSONWithAllow() async throws {
        try await TestServer().run { client in
            let response = try await client.delete("/api/users")
            #expect(response.status == .methodNotAllowed)
            #expect(response.headers[.allow] == "POST")
            #expect(response.errorMessage == "Method DELETE is not allowed on /api/users; allowed: POST")
            let put = try await client.put("/api/users/\(UUID().uuidString)/conversations", "{}")
            #expect(put.status == .methodNotAllowed)
            #expect(put.headers[.allow] == "GET, POST")
            for method in ["TRACE", "QUERY", "PROPFIND"] {
                let other = try await client.executeRequest(
                    uri: "/api/health", method: try #require(HTTPRequest.Method(method)), headers: [:], body: nil)
                #expect(other.status == .methodNotAllowed, "\(method)")
                #expect(other.errorMessage == "Method \(method) is not allowed on /api/health; allowed: GET")
            }
        }
    }

    /// `OPTIONS` names exactly the path's own methods (schemathesis checks `Allow` against the document).
    @Test func optionsListsThePathsOwnMethods() async throws {
        try await TestServer().run { client in
            for (path, allow) in [
                ("/api/messages/\(UUID().uuidString)", "PUT, DELETE, OPTIONS"), ("/api/users", "POST, OPTIONS"),
                ("/api/health", "GET, OPTIONS"),
            ] {
                let response = try await client.executeRequest(uri: path, method: .options, headers: [:], body: nil)
                #expect(response.status == .noContent)
                #expect(response.headers[.allow] == allow)
            }
            #expect(try await client.executeRequest(uri: "/api/nothing", method: .options, headers: [:], body: nil).status == .notFound)
        }
    }

    @Test func preflightIsAnsweredForListedOrigins() async throws {
        try await TestServer().run { client in
            let response = try await client.executeRequest(
                uri: "/api/conversations/\(UUID().uuidString)", method: .options,
                headers: [
                    .origin: "http://localhost:3001", .accessControlRequestMethod: "PUT", .accessControlRequestHeaders: "content-type",
                ],
                body: nil
            )
            #expect(response.status == .noContent)
            #expect(response.headers[.accessControlAllowOrigin] == "http://localhost:3001")
            #expect(response.headers[.accessControlAllowMethods]?.contains("PUT") == true)
            #expect(response.headers[.accessControlAllowHeaders] == "content-type")
        }
    }

    @Test func unlistedOriginsAreNotEchoed() async throws {
        try await TestServer().run { client in
            let preflight = try await client.executeRequest(
                uri: "/api/health", method: .options,
                headers: [.origin: "https://evil.example", .accessControlRequestMethod: "GET"], body: nil
            )
            #expect(preflight.headers[.accessControlAllowOrigin] == nil)
            let get = try await client.executeRequest(
                uri: "/api/health", method: .get, headers: [.origin: "https://evil.example"], body: nil)
            #expect(get.status == .ok)
            #expect(get.headers[.accessControlAllowOrigin] == nil)
        }
    }

    @Test func configuredOriginsReplaceTheDefaults() async throws {
        try await TestServer(settings: ["corsOrigins": "https://app.example, http://localhost:9000"]).run { client in
            let allowed = try await client.executeRequest(
                uri: "/api/health", method: .get, headers: [.origin: "https://app.example"], body: nil)
            #expect(allowed.headers[.accessControlAllowOrigin] == "https://app.example")
            let old = try await client.executeRequest(
                uri: "/api/health", method: .get, headers: [.origin: "http://localhost:3000"], body: nil)
            #expect(old.headers[.accessControlAllowOrigin] == nil)
        }
    }

    @Test func errorAnswersCarryCORSHeadersToo() async throws {
        try await TestServer().run { client in
            let response = try await client.executeRequest(
                uri: "/api/users/\(UUID().uuidString)", method: .get, headers: [.origin: "http://localhost:3000"], body: nil
            )
            #expect(response.status == .notFound)
            #expect(response.headers[.accessControlAllowOrigin] == "http://localhost:3000")
        }
    }
}
