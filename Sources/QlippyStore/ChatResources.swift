import QlippyModel

/// The original API's resources: users, their conversations with messages, their plugins, and the
/// folders conversations are filed in.
public protocol ChatResources: Sendable {
    func createUser(username: String) async throws -> User
    func user(id: String) async throws -> User
    /// The user with this exact username (the command-line tools name users, not ids).
    func user(username: String) async throws -> User

    /// The user's conversations, newest `lastUpdated` first, each with a preview of its newest message
    /// cut to `previewLength` characters (at most ``PreviewLength/stored``: stores keep only that much at hand).
    /// `folder`: only that folder's; `""` only those without a folder (NULL or empty); `nil` all.
    func conversations(ofUser userID: String, folder: String?, previewLength: Int) async throws -> [ConversationSummary]
    func createConversation(userID: String, title: String, folder: String?) async throws -> Conversation
    func conversation(id: String) async throws -> ConversationDetail
    /// Applies the changes and sets `lastUpdated` to now.
    func updateConversation(id: String, changes: ConversationChanges) async throws -> Conversation
    /// Deletes the conversation and its messages.
    func deleteConversation(id: String) async throws

    /// Appends a message with its details and sets the conversation's `lastUpdated` to now.
    func addMessage(conversationID: String, role: String, content: String, details: MessageDetails) async throws -> Message
    /// New content (`nil`: unchanged) and the changes to its details.
    func updateMessage(id: String, content: String?, details: MessageDetailChanges) async throws -> Message
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
}

extension ChatResources {
    /// Appends a message without details, as the original API does.
    public func addMessage(conversationID: String, role: String, content: String) async throws -> Message {
        try await addMessage(conversationID: conversationID, role: role, content: content, details: .none)
    }

    /// New content for a message, its details unchanged.
    public func updateMessage(id: String, content: String?) async throws -> Message {
        try await updateMessage(id: id, content: content, details: MessageDetailChanges())
    }
}
