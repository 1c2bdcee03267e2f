import Hummingbird
import Logging
import QlippyModel
import QlippyStore

/// Accounts mode: reads the request's credential and sets ``AppRequestContext/caller``.
///
/// From a trusted proxy, its user header names the user (the header from anywhere else is
/// ignored and logged). `Authorization: Bearer` carries an access token (a JWT, checked by
/// signature), a token of the OpenID Connect provider (told apart by its issuer), or an API key
/// (`qlp_…`, read from the store by its hash on every request, here or, for a holder known from
/// ``APIKeyHolders``, in ``AccessMiddleware`` with the resource, so that a revoked key fails at
/// once on every server); an event stream may carry a single-use `ticket` instead. A credential that is sent
/// but not valid is 401 at once; a request without one goes on, and ``AccessMiddleware`` decides
/// whether its route needs one. Credentials are never logged.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let tokens: AccessTokens
    let keys: any APIKeyStore
    let keyHolders: APIKeyHolders
    let tickets: StreamTickets
    let external: ExternalUsers
    let proxies: TrustedProxies?
    let provider: OpenIDConnect?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let proxies, let name = request.headers[proxies.header] {
            if proxies.trusts(context.remoteAddress) {
                context.caller = try await external.caller(username: name, credential: .proxy, logger: context.logger)
                return try await next(request, context)
            }
            context.logger.notice(
                "ignored a user header from an address that is not a trusted proxy",
                metadata: ["header": "\(proxies.header)", "client": "\(context.remoteAddress?.ipAddress ?? "none")"])
        }
        if let header = request.headers[.authorization] {
            context.caller = try await caller(presenting: header, logger: context.logger)
        } else if request.method == .get, request.uri.path.hasSuffix("/events"), let ticket = request.uri.queryParameters["ticket"] {
            guard let userID = tickets.redeem(String(ticket)) else { throw APIError.credentialRejected }
            context.caller = Caller(userID: userID, credential: .streamTicket, principal: nil)
        }
        return try await next(request, context)
    }

    private func caller(presenting header: String, logger: Logger) async throws -> Caller {
        guard let credential = Self.bearerCredential(header) else { throw APIError.credentialRejected }
        if credential.hasPrefix(Secrets.apiKeyPrefix) {
            let hash = Secrets.hash(credential)
            if let userID = keyHolders.userID(ofKey: hash) {
                return Caller(userID: userID, credential: .apiKey(hash: hash), principal: nil)
            }
            guard let holder = try await keys.apiKeyHolder(keyHash: hash, at: .now()), !holder.disabled else {
                throw APIError.credentialRejected
            }
            keyHolders.remember(key: hash, of: holder.userID)
            return Caller(userID: holder.userID, credential: .apiKey(hash: hash), principal: holder)
        }
        if let provider, provider.claimsToBeFrom(credential) {
            guard let username = await provider.username(in: credential) else { throw APIError.credentialRejected }
            return try await external.caller(username: username, credential: .openIDConnect, logger: logger)
        }
        guard let token = await tokens.verify(credential) else { throw APIError.credentialRejected }
        return Caller(userID: token.userID, credential: .accessToken(signIn: token.signIn), principal: nil)
    }

    /// The credential of `Bearer <credential>` (the scheme in any case, RFC 9110), spaces around it
    /// dropped; `nil` for any other scheme. Works on the UTF-8 view: this runs for every request.
    static func bearerCredential(_ header: String) -> String? {
        let bytes = header.utf8
        guard bytes.count > 7, bytes.prefix(7).elementsEqual("bearer ".utf8, by: { $0 | 0x20 == $1 }) else { return nil }
        let credential = bytes.dropFirst(7).drop { $0 == UInt8(ascii: " ") }
        let end = credential.lastIndex { $0 != UInt8(ascii: " ") }.map { bytes.index(after: $0) } ?? credential.startIndex
        return credential.startIndex < end ? String(Substring(header.utf8[credential.startIndex..<end])) : nil
    }
}
