import HTTPTypes
import HummingbirdTesting
import NIOCore

/// HummingbirdTesting's `TestClient` on its own connection to 127.0.0.1, naming that host in each
/// request: the bare client sends no `Host`, which the server refuses as HTTP/1.1 says to.
struct LoopbackClient: Sendable {
    let client: TestClient
    let authority: String

    static func withClient<Value: Sendable>(
        port: Int, configuration: TestClient.Configuration = .init(),
        _ operation: @escaping @Sendable (LoopbackClient) async throws -> Value
    ) async throws -> Value {
        try await TestClient.withClient(host: "127.0.0.1", port: port, configuration: configuration) { client in
            try await operation(LoopbackClient(client: client, authority: "127.0.0.1:\(port)"))
        }
    }

    func execute(_ request: TestClient.Request) async throws -> TestClient.Response {
        var request = request
        request.head.authority = authority
        return try await client.execute(request)
    }

    func get(_ uri: String, headers: HTTPFields = [:]) async throws -> TestClient.Response {
        try await execute(TestClient.Request(uri, method: .get, headers: headers))
    }

    func post(_ uri: String, headers: HTTPFields = [:], body: ByteBuffer) async throws -> TestClient.Response {
        try await execute(TestClient.Request(uri, method: .post, headers: headers, body: body))
    }

    func put(_ uri: String, headers: HTTPFields = [:], body: ByteBuffer) async throws -> TestClient.Response {
        try await execute(TestClient.Request(uri, method: .put, headers: headers, body: body))
    }

    func delete(_ uri: String, headers: HTTPFields = [:], body: ByteBuffer) async throws -> TestClient.Response {
        try await execute(TestClient.Request(uri, method: .delete, headers: headers, body: body))
    }
}
