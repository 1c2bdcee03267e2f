import Hummingbird
import Logging
import QlippyModel
import QlippyStore

/// Who may call a route, in accounts mode.
enum AccessRule: Sendable {
    /// Anyone: health, the OpenAPI document, signing in.
    case open
    /// Any signed-in user: their own session, password and keys.
    case signedIn
    /// Admins only: account management, metrics, backups. Others get 403.
    case admin
    /// `POST /api/users`: admins, or anyone when sign-up is open.
    case signup
    /// A user record (`/api/users/{user_id}`): its user, or an admin.
    case ownAccount
    /// A user's chats (conversations, messages, plugins, folders, search, events, import and
    /// export): its user only; admins too with `--admin-chat-access`, each read logged.
    case ownChats
}

/// The one access check of accounts mode: every route's group carries one, with its rule.
///
/// Runs after routing, so it sees the path's ids. A resource of another user answers exactly as
/// an unknown id does (the same 404 and text, never 403), so that ids are no existence oracle; the
/// request never reaches its handler, so nothing is read or written for it. The caller's state is
/// the store's at this moment: a disabled user's tokens and keys fail at once, and an admin
/// demoted loses admin routes at once. One lookup serves a request to the caller's own resource:
/// the owner's row says whether the owner (the caller) is disabled.
struct AccessMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let rule: AccessRule
    let owners: any ResourceOwners
    let signup: SignupPolicy
    let adminChatAccess: Bool

    /// The path parameters that name an owned resource, in the order routes use them.
    static let resourceParameters: [(name: String, resource: @Sendable (String) -> OwnedResource)] = [
        ("user_id", OwnedResource.user), ("conversation_id", OwnedResource.conversation), ("message_id", OwnedResource.message),
        ("plugin_id", OwnedResource.plugin),
    ]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        switch rule {
        case .open:
            return try await next(request, context)
        case .signup where signup == .open && context.caller == nil:
            return try await next(request, context)
        case .signedIn, .admin, .signup:
            let principal = try await current(context.caller)
            context.callerIsAdmin = principal.role == .admin
            guard rule == .signedIn || context.callerIsAdmin else { throw APIError.adminOnly }
            return try await next(request, context)
        case .ownAccount, .ownChats:
            guard let caller = context.caller else { throw APIError.signInRequired }
            let resource = try Self.resource(in: context.parameters)
            guard let owner = try await owners.owner(of: resource) else { throw StoreError.notFound(resource.entity) }
            if owner.userID == caller.userID {
                guard !owner.disabled else { throw APIError.credentialRejected }
                context.callerIsAdmin = owner.role == .admin
                return try await next(request, context)
            }
            let principal = try await current(caller)
            guard principal.role == .admin, rule == .ownAccount || adminChatAccess, caller.credential != .streamTicket else {
                throw StoreError.notFound(resource.entity)
            }
            if rule == .ownChats {
                context.logger.notice(
                    "admin read another user's chats", metadata: ["admin": "\(caller.userID)", "owner": "\(owner.userID)"])
            }
            context.callerIsAdmin = true
            return try await next(request, context)
        }
    }

    /// The caller as the store has them now; 401 without a caller, or for one disabled or gone.
    private func current(_ caller: Caller?) async throws -> Principal {
        guard let caller else { throw APIError.signInRequired }
        if let principal = caller.principal { return principal }
        guard let principal = try await owners.owner(of: .user(caller.userID)), !principal.disabled else {
            throw APIError.credentialRejected
        }
        return principal
    }

    /// The owned resource the route's path names (its first id parameter).
    static func resource(in parameters: Parameters) throws -> OwnedResource {
        for (name, resource) in resourceParameters where parameters.get(name) != nil {
            return resource(try parameters.uuid(name))
        }
        throw APIError.internalError
    }
}

/// The router's routes by who may call them: each controller adds a route to the group of its
/// rule. Outside accounts mode every group is the plain router (the token, if any, is checked
/// for all routes alike before routing).
struct RouteGroups {
    let open: RouterGroup<AppRequestContext>
    let signedIn: RouterGroup<AppRequestContext>
    let admin: RouterGroup<AppRequestContext>
    let signup: RouterGroup<AppRequestContext>
    let ownAccount: RouterGroup<AppRequestContext>
    let ownChats: RouterGroup<AppRequestContext>

    init(router: Router<AppRequestContext>, accounts: (owners: any ResourceOwners, signup: SignupPolicy, adminChatAccess: Bool)?) {
        func group(_ rule: AccessRule) -> RouterGroup<AppRequestContext> {
            let group = router.group()
            guard let accounts else { return group }
            return group.add(
                middleware: AccessMiddleware(
                    rule: rule, owners: accounts.owners, signup: accounts.signup, adminChatAccess: accounts.adminChatAccess))
        }
        open = group(.open)
        signedIn = group(.signedIn)
        admin = group(.admin)
        signup = group(.signup)
        ownAccount = group(.ownAccount)
        ownChats = group(.ownChats)
    }
}
