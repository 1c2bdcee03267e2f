import QlippyModel

/// Who sent a request, as its credential says, set by ``AuthenticationMiddleware`` in accounts
/// mode. ``AccessMiddleware`` decides what the caller may reach.
public struct Caller: Sendable, Equatable {
    public enum Credential: Sendable, Equatable {
        /// An access token of the sign-in (refresh family) it names.
        case accessToken(signIn: String)
        /// An API key, by its hash (what the store keeps of it).
        case apiKey(hash: String)
        /// A header set by a trusted authenticating proxy.
        case proxy
        /// A bearer token from the OpenID Connect provider.
        case openIDConnect
        /// A single-use event-stream ticket.
        case streamTicket
    }

    public var userID: String
    public var credential: Credential
    /// The state the store reported while the credential was checked; `nil` for an access
    /// token, which is verified without the store, and for an API key of a holder known from
    /// ``APIKeyHolders``, which the access check reads with the resource.
    public var principal: Principal?

    /// The sign-in of an access token, for logout and password changes.
    var signIn: String? {
        if case .accessToken(let signIn) = credential { return signIn }
        return nil
    }
}
