import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import QlippyModel
import QlippySQLite
import QlippyStore
import QlippyTestSupport
import Testing

@testable import QlippyServer

/// The OpenAPI document (`Sources/QlippyServer/Resources/openapi.json`, served at
/// `/api/openapi.json`) lists exactly the routes the router serves; schemathesis
/// (`scripts/fuzz-contract`) holds the live server to it.
@Suite("OpenAPI document")
struct OpenAPIDocumentTests {
    @Test(arguments: [
        (AuthMode.none, ShareLinkPolicy.public, 34), (.token, .public, 35), (.accounts, .public, 47), (.accounts, .off, 42),
        (.token, .accounts, 35),
    ])
    func listsExactlyTheRoutesTheRouterServes(mode: AuthMode, shareLinks: ShareLinkPolicy, count: Int) async throws {
        // Which store serves does not change the routes: a SQLite file is enough here.
        let path = try makeTemporaryDirectory().appendingPathComponent("routes.db").path
        let store = try SQLiteStore(database: AppDatabase.open(path: path), searchScanLimit: 0)
        var settings = ServerSettings()
        settings.auth = mode
        settings.shareLinks = shareLinks
        if mode == .token { settings.apiToken = "a-token-of-twenty-chars" }
        let feed = try await ChangeFeed(store: store, buffer: 10, heartbeat: .seconds(15), logger: Logger(label: "tests.routes"))
        let router = try await buildRoutes(
            store: store, feed: feed, metrics: ServerMetrics(version: "test", store: "sqlite"), settings: settings,
            logger: Logger(label: "tests.routes"))
        // The router writes a path's parameters as the document does: `/api/users/{user_id}`.
        let registered = Set(router.routes.map { "\($0.method.rawValue) \($0.path)" })
        let operations = try OpenAPIOperations.all(mode: mode, shareLinks: shareLinks)
        let documented = Set(operations.map { "\($0.method.rawValue) \($0.path)" })
        let openShareReaders = operations.filter { $0.isOpen && $0.path.contains("shared") }.count
        #expect(openShareReaders == (shareLinks == .public && mode != .none ? 2 : 0))
        #expect(registered.subtracting(documented).isEmpty, "routes missing from the document")
        #expect(documented.subtracting(registered).isEmpty, "documented operations the router does not serve")
        #expect(registered.count == count)
        try await store.close()
    }

    /// No security requirement without a credential to send; the bearer scheme with one.
    @Test func declaresTheSecurityOfItsMode() throws {
        let none = String(decoding: OpenAPIController.document(for: .none).readableBytesView, as: UTF8.self)
        #expect(!none.contains("security") && !none.contains("bearerToken") && !none.contains("x-qlippy"))
        for mode in [AuthMode.token, .accounts] {
            let document = try OpenAPIOperations.document(mode: mode)
            #expect((document["security"] as? [[String: [String]]]) == [["bearerToken": []]])
            let text = String(decoding: OpenAPIController.document(for: mode).readableBytesView, as: UTF8.self)
            #expect(!text.contains("x-qlippy"))
        }
        let open = try OpenAPIOperations.all(mode: .accounts).filter(\.isOpen).map(\.description)
        #expect(
            open == [
                "GET /api/health", "GET /api/openapi.json", "GET /api/shared/{share_id}", "GET /shared/{share_id}", "POST /api/auth/login",
                "POST /api/auth/refresh",
            ])
        let schemas = try #require(
            (try OpenAPIOperations.document(mode: .accounts)["components"] as? [String: Any])?["schemas"] as? [String: Any])
        #expect((schemas["NewUser"] as? [String: Any])?["required"] as? [String] == ["username", "password"])
        let tokenSchemas = try #require((try OpenAPIOperations.document()["components"] as? [String: Any])?["schemas"] as? [String: Any])
        #expect(((tokenSchemas["NewUser"] as? [String: Any])?["properties"] as? [String: Any])?.keys.sorted() == ["username"])
    }

    @Test func isServedAsJSON() async throws {
        try await TestServer().run { client in
            let response = try await client.get("/api/openapi.json")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            let document = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
            #expect(document["openapi"] as? String == "3.1.0")
            #expect((document["info"] as? [String: Any])?["version"] as? String == HealthController.version)
        }
    }

    /// Every `$ref` points at something the document defines.
    @Test func everyReferenceResolves() throws {
        let text = String(decoding: OpenAPIController.document(for: .accounts).readableBytesView, as: UTF8.self)
        let document = try OpenAPIOperations.document(mode: .accounts)
        let references = Set(text.matches(of: /"\$ref": ?"#\/([^"]+)"/).map { String($0.1) })
        #expect(references.count > 20)
        for reference in references {
            var node: Any? = document
            for key in reference.split(separator: "/") { node = (node as? [String: Any])?[String(key)] }
            #expect(node != nil, "\(reference)")
        }
    }
}
