import QlippyModel

/// Who sent a request, as its credential says, set by ``AuthenticationMiddleware`` in accounts
/// mode. ``AccessMiddleware`` decides what the caller may reach.
public struct Caller: Sendable, Equatable {
    public enum Credential: Sendable, Equatable {
        /// An access token of the sign-in (refresh family) it names.
        case accessToken(signIn: String)
        case apiKey
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
    /// token, which is verified without the store.
    public var principal: Principal?

    /// The sign-in of an access token, for logout and password changes.
    var signIn: String? {
        if case .accessToken(let signIn) = credential { return signIn }
        return nil
    }
}
