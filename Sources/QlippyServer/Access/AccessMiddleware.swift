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
/// the owner's row says whether the owner (the caller) is disabled; with an API key not read yet
/// (its holder known from ``APIKeyHolders``), the same statement reads the key's row too.
struct AccessMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let rule: AccessRule
    let checks: Checks

    /// What every group's access check shares: the store's lookups and the server's settings.
    struct Checks: Sendable {
        let owners: any ResourceOwners
        let keys: any APIKeyStore
        let signup: SignupPolicy
        let adminChatAccess: Bool
    }

    /// The path parameters that name an owned resource, in the order routes use them.
    static let resourceParameters: [(name: String, resource: @Sendable (String) -> OwnedResource)] = [
        ("user_id", OwnedResource.user), ("conversation_id", OwnedResource.conversation), ("message_id", OwnedResource.message),
        ("plugin_id", OwnedResource.plugin),
    ]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        switch rule {
        case .open:
            // A key sent to an open route is checked all the same: a credential that is not valid is 401.
            if let caller = context.caller, case .apiKey = caller.credential { _ = try await current(caller) }
            return try await next(request, context)
        case .signup where checks.signup == .open && context.caller == nil:
            return try await next(request, context)
        case .signedIn, .admin, .signup:
            let principal = try await current(context.caller)
            context.callerIsAdmin = principal.role == .admin
            guard rule == .signedIn || context.callerIsAdmin else { throw APIError.adminOnly }
            return try await next(request, context)
        case .ownAccount, .ownChats:
            guard var caller = context.caller else { throw APIError.signInRequired }
            let resource = try Self.resource(in: context.parameters)
            let found: Principal?
            if caller.principal == nil, case .apiKey(let hash) = caller.credential {
                guard let read = try await checks.keys.apiKeyHolder(keyHash: hash, at: .now(), ownerOf: resource) else {
                    throw APIError.credentialRejected
                }
                caller.principal = try Self.valid(read.holder, for: caller)
                found = read.owner
            } else {
                found = try await checks.owners.owner(of: resource)
            }
            guard let owner = found else { throw StoreError.notFound(resource.entity) }
            if owner.userID == caller.userID {
                guard !owner.disabled else { throw APIError.credentialRejected }
                context.callerIsAdmin = owner.role == .admin
                return try await next(request, context)
            }
            let principal = try await current(caller)
            guard principal.role == .admin, rule == .ownAccount || checks.adminChatAccess, caller.credential != .streamTicket else {
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
        if case .apiKey(let hash) = caller.credential {
            guard let holder = try await checks.keys.apiKeyHolder(keyHash: hash, at: .now()) else { throw APIError.credentialRejected }
            return try Self.valid(holder, for: caller)
        }
        guard let principal = try await checks.owners.owner(of: .user(caller.userID)), !principal.disabled else {
            throw APIError.credentialRejected
        }
        return principal
    }

    /// A key's holder as the store reads it now, when it is still the caller and not disabled.
    private static func valid(_ holder: Principal, for caller: Caller) throws -> Principal {
        guard holder.userID == caller.userID, !holder.disabled else { throw APIError.credentialRejected }
        return holder
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

    init(router: Router<AppRequestContext>, access: AccessMiddleware.Checks?) {
        func group(_ rule: AccessRule) -> RouterGroup<AppRequestContext> {
            let group = router.group()
            guard let access else { return group }
            return group.add(middleware: AccessMiddleware(rule: rule, checks: access))
        }
        open = group(.open)
        signedIn = group(.signedIn)
        admin = group(.admin)
        signup = group(.signup)
        ownAccount = group(.ownAccount)
        ownChats = group(.ownChats)
    }
}
