import Hummingbird
import QlippyJSON
import QlippyModel
import QlippyStore
import QlippyTransfer

/// An error answer: a status and the `{"error": message}` body the contract defines.
///
/// Every error text the server sends is built here, so that the wire contract's wording lives in
/// one file. Conforming to `HTTPResponseError` lets Hummingbird render it even outside our middleware.
public struct APIError: Error, HTTPResponseError, Equatable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var message: String
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.message = message
        self.headers = headers
    }

    /// The message, as the command line prints it.
    public var description: String { message }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        json.response(status: status, headers: headers)
    }

    /// The `{"error": message}` body, also written by the channel handlers that answer before any
    /// request reaches the router (``ProtocolErrorHandler``, ``ConnectionLimitHandler``).
    var json: JSONWriter {
        var json = JSONWriter()
        json.beginObject()
        json.field("error", message)
        json.endObject()
        return json
    }
}

extension APIError {
    // The original's texts, word for word.
    static let usernameRequired = APIError(.badRequest, "Username is required")
    static let usernameTaken = APIError(.conflict, "Username already exists")
    static let roleAndContentRequired = APIError(.badRequest, "Role and content are required")
    static let invalidRole = APIError(.badRequest, #"Role must be "user" or "assistant""#)
    static let pluginNameRequired = APIError(.badRequest, "Plugin name is required")
    static let searchQueryRequired = APIError(.badRequest, "Search query is required")

    static func notFound(_ entity: Entity) -> APIError {
        let name =
            switch entity {
            case .user: "User"
            case .conversation: "Conversation"
            case .message: "Message"
            case .plugin: "Plugin"
            case .folder: "Folder"
            case .tag: "Tag"
            case .share: "Share link"
            case .apiKey: "API key"
            }
        return APIError(.notFound, "\(name) not found")
    }

    init(_ error: StoreError) {
        switch error {
        case .notFound(let entity): self = .notFound(entity)
        case .usernameTaken: self = .usernameTaken
        case .unavailable: self = .databaseUnavailable
        case .unsupportedText: self = .unsupportedText
        case .notInConversation(let field): self = .notInConversation(field.rawValue)
        }
    }

    // Request-shape errors: each names what was wrong.
    static let malformedJSON = APIError(.badRequest, "Request body is not valid JSON")
    static let bodyNotObject = APIError(.badRequest, "Request body must be a JSON object")
    static let unsupportedMediaType = APIError(.unsupportedMediaType, "Content-Type must be application/json")
    // swift-format-ignore: DontRepeatTypeInStaticProperties
    static let internalError = APIError(.internalServerError, "Internal server error")
    static let unauthorized = APIError(
        .unauthorized, "Missing or wrong API token: send Authorization: Bearer <token>", headers: [.wwwAuthenticate: "Bearer"]
    )
    static let routeNotFound = APIError(.notFound, "Not found")

    // Accounts mode (beyond the original).
    static let signInRequired = APIError(
        .unauthorized, "Sign in first: send Authorization: Bearer <access token or API key>", headers: [.wwwAuthenticate: "Bearer"])
    static let credentialRejected = APIError(
        .unauthorized, "The credential is invalid, expired or revoked: sign in again",
        headers: [.wwwAuthenticate: #"Bearer error="invalid_token""#])
    static let wrongCredentials = APIError(.unauthorized, "Wrong username or password")
    static let wrongCurrentPassword = APIError(.forbidden, "Current password is wrong")
    static let refreshTokenRejected = APIError(.unauthorized, "Refresh token is invalid, expired or already used: sign in again")
    static let adminOnly = APIError(.forbidden, "Only an admin may do this")
    static let passwordRequired = APIError(.badRequest, "Password is required")
    static let refreshTokenRequired = APIError(.badRequest, "refresh_token is required")
    static let keyNameRequired = APIError(.badRequest, "API key name is required")
    static let expiryInThePast = APIError(.badRequest, "expires_at must be in the future")
    static let lastAdmin = APIError(.conflict, "The last enabled admin cannot be removed, disabled or demoted")

    static func weakPassword(_ problem: String) -> APIError {
        APIError(.badRequest, problem)
    }

    static func tooManySignIns(retryAfterSeconds seconds: Int) -> APIError {
        APIError(
            .tooManyRequests, "Too many failed sign-ins: try again in \(seconds) s", headers: [.retryAfter: String(seconds)])
    }
    /// A `Host` this server does not answer to (``AllowedHosts``): a DNS-rebinding page, or a name
    /// a proxy sends that is missing from `--allowed-hosts`.
    static let hostMissing = APIError(.badRequest, "Request has no Host header")
    static let hostNotAllowed = APIError(.forbidden, "This server does not answer to that Host; list the name in --allowed-hosts")

    static func bodyTooLarge(limit: Int) -> APIError {
        APIError(.contentTooLarge, "Request body is larger than the limit of \(limit) bytes")
    }

    static func duplicateKey(_ field: String) -> APIError {
        APIError(.badRequest, "Request body has the key \(field) more than once")
    }

    static let importMediaType = APIError(
        .unsupportedMediaType,
        "Import files are sent as Content-Type: application/json (one file) or application/zip (a ChatGPT export archive)"
    )

    static func importsBusy(capacity: Int) -> APIError {
        APIError(.serviceUnavailable, "Server is taking \(capacity) imports already; try again shortly", headers: [.retryAfter: "10"])
    }

    static func importTooLarge(limit: Int) -> APIError {
        APIError(.contentTooLarge, "Import file is larger than the limit of \(limit) bytes (--max-import-size)")
    }

    /// A file that cannot be imported at all: nothing was written.
    init(_ error: ImportError) {
        self.init(error.isTooLarge ? .contentTooLarge : .badRequest, error.description)
    }

    static func wrongType(_ field: String, expected: String) -> APIError {
        APIError(.badRequest, "\(field) must be \(expected)")
    }

    static func empty(_ field: String) -> APIError {
        APIError(.badRequest, "\(field) must not be empty")
    }

    static func tooLong(_ field: String, limit: Int) -> APIError {
        APIError(.badRequest, "\(field) must be at most \(limit) characters")
    }

    /// A message's details outside their limits.
    init(_ problem: MessageDetailProblem) {
        self.init(.badRequest, problem.description)
    }

    /// A query parameter with a value it cannot take: `limit must be an integer from 1 to 500`.
    static func invalidParameter(_ name: String, _ expected: String) -> APIError {
        APIError(.badRequest, "\(name) must be \(expected)")
    }

    // Branches (beyond the original).
    static func notInConversation(_ field: String) -> APIError {
        APIError(.badRequest, "\(field) must be a message of this conversation")
    }

    // Folders (beyond the original).
    static let folderNameRequired = APIError(.badRequest, "Folder name is required")
    static let folderNameEncoding = APIError(.badRequest, "Folder name in the path is not valid percent-encoded UTF-8")

    // Pins, archive and tags (beyond the original).
    static let tagNameRequired = APIError(.badRequest, "Tag name is required")
    static let tagNameEncoding = APIError(.badRequest, "Tag name in the path is not valid percent-encoded UTF-8")
    static let invalidTags = APIError(
        .badRequest,
        "tags must be an array of at most \(FieldLimits.tags) strings of 1 to \(FieldLimits.tag) characters without control characters")

    static let temporaryOrExpiry = APIError(.badRequest, "Send temporary or expires_at, not both")

    // Idempotency-Key on creates (beyond the original).
    static let invalidIdempotencyKey = APIError(.badRequest, "Idempotency-Key must be 1 to 255 visible ASCII characters")
    static let idempotencyKeyReused = APIError(.unprocessableContent, "Idempotency-Key was already used for a different request")
    static let idempotencyKeyRunning = APIError(
        .conflict, "A request with this Idempotency-Key is still running; repeat it once that one has answered"
    )

    static let invalidLastEventID = APIError(.badRequest, "Last-Event-ID must be the id of an event from this stream")

    static func invalidID(_ parameter: String) -> APIError {
        APIError(.badRequest, "\(parameter) must be a UUID")
    }

    static func methodNotAllowed(_ method: HTTPRequest.Method, path: String, allowed: [HTTPRequest.Method]) -> APIError {
        let list = allowed.map(\.rawValue).joined(separator: ", ")
        return APIError(
            .methodNotAllowed, "Method \(method.rawValue) is not allowed on \(path); allowed: \(list)",
            headers: [.allow: list]
        )
    }

    static let databaseUnavailable = APIError(.serviceUnavailable, "Database unavailable")
    /// What the HTTP parser could not read: a malformed request line or header, a bare CR or LF,
    /// both `Content-Length` and `Transfer-Encoding`, a head over the size limits.
    static let unreadableRequest = APIError(.badRequest, "Request is not valid HTTP/1.1")
    static func rateLimited(retryAfterSeconds seconds: Int) -> APIError {
        APIError(.tooManyRequests, "Too many requests: try again in \(seconds) s", headers: [.retryAfter: String(seconds)])
    }

    static let headersTooLarge = APIError(
        .requestHeaderFieldsTooLarge,
        "Request line and headers are larger than the limit of \(HTTPLimits.headerListSize / 1024) KB or \(HTTPLimits.headerFieldCount) fields"
    )
    static func tooManyConnections(limit: Int) -> APIError {
        APIError(.serviceUnavailable, "Server is at its limit of \(limit) connections; try again shortly", headers: [.retryAfter: "1"])
    }
    /// PostgreSQL's text type cannot hold U+0000 (SQLite stores it).
    static let unsupportedText = APIError(.badRequest, "Text cannot contain the character U+0000 on this server")
}
