import Hummingbird
import NIOCore

/// The request context every route handler and middleware receives: Hummingbird's core context
/// plus the client's address, which the rate limit keys on.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The peer of the connection; `nil` where there is no socket (router tests).
    public let remoteAddress: SocketAddress?
    /// Who sent the request, in accounts mode, once ``AuthenticationMiddleware`` has read its
    /// credential; `nil` without one.
    public var caller: Caller?
    /// Whether ``AccessMiddleware`` found the caller to be an admin now (the store's role).
    public var callerIsAdmin = false

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
