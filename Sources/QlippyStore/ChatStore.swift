/// Storage for users, conversations, messages and plugins, independent of HTTP.
///
/// Every method is one transaction. Lookups of a missing row throw ``StoreError/notFound(_:)``
/// rather than returning optionals, so that callers map "not found" in exactly one place.
/// Ids are lowercase UUID strings; callers normalise them before calling.
public protocol ChatStore: Sendable {
    /// A short description of what backs the store and its schema version, for logs and health checks.
    var description: String { get }

    /// Checks that the storage answers; throws when it does not.
    func ping() async throws

    func createUser(username: String) async throws -> User
    func user(id: String) async throws -> User
    /// The user with this exact username (the command-line tools name users, not ids).
    func user(username: String) async throws -> User

    /// The user's conversations, newest `lastUpdated` first, each with a preview of its newest message
    /// cut to `previewLength` characters (at most 200: stores may keep only that much at hand).
    /// `folder`: only that folder's; `""` only those without a folder (NULL or empty); `nil` all.
    func conversations(ofUser userID: String, folder: String?, previewLength: Int) async throws -> [ConversationSummary]
    func createConversation(userID: String, title: String, folder: String?) async throws -> Conversation
    func conversation(id: String) async throws -> ConversationDetail
    /// Applies the changes and sets `lastUpdated` to now.
    func updateConversation(id: String, changes: ConversationChanges) async throws -> Conversation
    /// Deletes the conversation and its messages.
    func deleteConversation(id: String) async throws

    /// Appends a message and sets the conversation's `lastUpdated` to now.
    func addMessage(conversationID: String, role: String, content: String) async throws -> Message
    func updateMessage(id: String, content: String?) async throws -> Message
    func deleteMessage(id: String) async throws

    /// The user's plugins, oldest first.
    func plugins(ofUser userID: String) async throws -> [Plugin]
    func createPlugin(userID: String, plugin: NewPlugin) async throws -> Plugin
    func updatePlugin(id: String, changes: PluginChanges) async throws -> Plugin
    func deletePlugin(id: String) async throws

    /// The user's folders: each non-empty `folder` their conversations carry, with how many carry
    /// it and the newest `last_updated` among them, in byte order of the names.
    func folders(ofUser userID: String) async throws -> [Folder]
    /// Moves every conversation of folder `name` into `newName` in one statement (merging them into
    /// it when it exists already) and returns `newName` as listed afterwards. Conversations keep their
    /// `last_updated`: moving is not editing, and the sidebar's order stays put.
    func renameFolder(userID: String, name: String, to newName: String) async throws -> Folder
    /// Leaves the folder's conversations without one (`folder` NULL); they are not deleted.
    func deleteFolder(userID: String, name: String) async throws

    /// The user's conversations containing the query's text in a message or the title (see ``SearchQuery``),
    /// most matching messages first, then newest `lastUpdated`; previews as in ``conversations(ofUser:folder:previewLength:)``.
    func search(userID: String, query: SearchQuery, previewLength: Int) async throws -> SearchResults

    /// Up to `limit` of the user's conversations with all their messages, in creation order (then id;
    /// rows without a creation time first), starting after `after`: an export reads a user page by
    /// page, so that its memory does not grow with the user's history.
    func exportPage(userID: String, after: ExportCursor?, limit: Int) async throws -> [ConversationDetail]

    /// Writes one imported conversation and its messages, in their order, in one transaction
    /// (the search index with them); see ``ImportedConversation`` for what happens to its ids.
    func importConversation(_ conversation: ImportedConversation, userID: String) async throws -> ImportOutcome

    /// Writes one imported plugin, with the same rule for its id.
    func importPlugin(_ plugin: ImportedPlugin, userID: String) async throws -> ImportOutcome

    /// The start of a new walk of the user's conversations (``ConversationWalk``): from it on, for
    /// ``ConversationWalk/movesKept``, every bump of the user's conversations is recorded for the
    /// walk. An unknown user is "User not found", here or at the walk's first page.
    func openWalk(ofUser userID: String) async throws -> Timestamp
    /// A page of ``conversations(ofUser:folder:previewLength:)`` as the list stood when the walk
    /// began (see ``ConversationWalk``); the page's `next` continues the same walk.
    func conversationPage(ofUser userID: String, folder: String?, previewLength: Int, walk: ConversationWalk) async throws -> Page<ConversationSummary>
    /// A page of the conversation's messages in their order (``conversation(id:)``'s).
    func messagePage(ofConversation conversationID: String, page: PageRequest) async throws -> Page<Message>
    /// A page of ``plugins(ofUser:)``.
    func pluginPage(ofUser userID: String, page: PageRequest) async throws -> Page<Plugin>

    /// Runs `creation` unless `key` was used for it before (``IdempotentOutcome``), and keeps
    /// `reply(created)` under the key in the creation's own transaction: a crash after the commit
    /// leaves the reply to replay, never a row without one. Keys are per user (a message's: its
    /// conversation's user), kept ``IdempotencyKeys/lifetime``.
    func create(_ creation: Creation, key: String, reply: @escaping @Sendable (Resource) -> StoredReply) async throws -> IdempotentOutcome
    /// What `key` holds in `scope` for a request whose fingerprint is `fingerprint`, for keyed
    /// requests that are not one create: an import writes in many transactions and a backup in
    /// none, so their reply is kept after the work with ``keepReply(_:scope:key:fingerprint:)``.
    /// A scope is a user's id, or a name of the caller's that no id can be.
    func keptReply(scope: String, key: String, fingerprint: String) async throws -> KeptReply
    /// Keeps `reply` under the key for ``IdempotencyKeys/lifetime``; when another request kept
    /// one first (on another server, say), that one stays.
    func keepReply(_ reply: StoredReply, scope: String, key: String, fingerprint: String) async throws

    /// Up to `limit` changes after sequence `after`, oldest first; only `userID`'s when given.
    func changes(after: Int64, ofUser userID: String?, limit: Int) async throws -> [Change]
    func changeLogBounds() async throws -> ChangeLogBounds
    /// Drops the changes logged before `cutoff`.
    func pruneChanges(olderThan cutoff: Timestamp) async throws
    /// The row a change names as it is now; `nil` when it is gone.
    func resource(of change: Change) async throws -> Resource?

    /// Releases connections; the store is unusable afterwards.
    func close() async throws
}

/// The kinds of stored thing, for "not found" errors.
public enum Entity: String, Sendable, Hashable {
    case user, conversation, message, plugin, folder
}

/// Failures a caller is expected to handle; anything else thrown by a store is an internal error.
public enum StoreError: Error, Sendable, Hashable {
    case notFound(Entity)
    case usernameTaken
    /// The database did not answer (a lost connection, or none within the store's deadline); the
    /// request may succeed when repeated.
    case unavailable
    /// Text the database cannot hold (PostgreSQL's text type has no U+0000).
    case unsupportedText
}

extension StoreError: CustomStringConvertible {
    /// For logs and the command line; the API's wording is the wire layer's.
    public var description: String {
        switch self {
        case .notFound(let entity): "\(entity.rawValue) not found"
        case .usernameTaken: "username already exists"
        case .unavailable: "the database did not answer (connection lost, or no answer within the deadline)"
        case .unsupportedText: "text contains a character the database cannot store (U+0000)"
        }
    }
}
