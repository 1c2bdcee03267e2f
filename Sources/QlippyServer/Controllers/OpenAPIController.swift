import Hummingbird

/// `GET /api/openapi.json`: the OpenAPI 3.1 document of this server.
///
/// The document is `Resources/openapi.json`, embedded in the binary at build time (so a copied
/// executable serves it without a resource folder beside it). A test holds it to the router's routes.
struct OpenAPIController {
    static let document = ByteBuffer(bytes: PackageResources.openapi_json)

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/api/openapi.json", use: serve)
    }

    /// `GET /api/openapi.json`.
    @Sendable func serve(_ request: Request, context: AppRequestContext) async throws -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: Self.document)
        )
    }
}
