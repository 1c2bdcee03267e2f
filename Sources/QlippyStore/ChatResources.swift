import QlippyModel

/// The original API's resources: users, their conversations with messages, their plugins, and the
/// folders conversations are filed in.
public protocol ChatResources: Sendable {
    func createUser(username: String) async throws -> User
    func user(id: String) async throws -> User
    /// The user with this exact username (the command-line tools name users, not ids).
    func user(username: String) async throws -> User

    /// The user's conversations that pass `filter`, newest `lastUpdated` first, each with a preview
    /// of its newest message cut to `previewLength` characters (at most ``PreviewLength/stored``:
    /// stores keep only that much at hand).
    func conversations(ofUser userID: String, filter: ConversationFilter, previewLength: Int) async throws -> [ConversationSummary]
    /// A new conversation, expiring as `expiry` says (``ConversationExpiry``).
    func createConversation(userID: String, title: String, folder: String?, expiry: ConversationExpiry) async throws -> Conversation
    /// The conversation with its current branch or every message (``ConversationDetail``). On a
    /// conversation that has branched, and with `.all`, the messages carry their parents and the
    /// conversation its current message.
    func conversation(id: String, branches: BranchSelection) async throws -> ConversationDetail
    /// Applies the changes; a new title or folder sets `lastUpdated` to now, a switch of branch
    /// or a change of marks (``ConversationMarks``) alone does not. A `currentMessageID` that is not one of the conversation's messages is
    /// ``StoreError/notInConversation(_:)``.
    func updateConversation(id: String, changes: ConversationChanges) async throws -> Conversation
    /// Deletes the conversation and its messages.
    func deleteConversation(id: String) async throws

    /// Adds a message with its details under `parent` (``ConversationTree/adding(_:under:)``), makes
    /// it the current one, and sets the conversation's `lastUpdated` to now.
    func addMessage(conversationID: String, role: String, content: String, details: MessageDetails, parent: NewMessageParent)
        async throws -> Message
    /// New content (`nil`: unchanged) and the changes to its details.
    func updateMessage(id: String, content: String?, details: MessageDetailChanges) async throws -> Message
    /// Deletes the message; its replies hang under its parent from then on, or go with it when
    /// `withReplies` (``ConversationTree/deleting(_:withReplies:)``).
    func deleteMessage(id: String, withReplies: Bool) async throws

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

    /// The user's tags (``Tag``), in byte order of the names.
    func tags(ofUser userID: String) async throws -> [Tag]
    /// Spells tag `name` (any spelling of it) `newName` on every conversation carrying it, merging
    /// it into `newName` where a conversation carries both (``ConversationMarks/renamingTag(_:to:)``),
    /// and returns `newName` as listed afterwards. Conversations keep their `last_updated`.
    func renameTag(userID: String, name: String, to newName: String) async throws -> Tag
    /// Takes the tag off every conversation carrying it.
    func deleteTag(userID: String, name: String) async throws
}

extension ChatResources {
    /// The user's conversations as the original lists them: every one, or one folder's
    /// (``ConversationFilter/folder``), archived ones left out.
    public func conversations(ofUser userID: String, folder: String? = nil, previewLength: Int) async throws -> [ConversationSummary] {
        try await conversations(ofUser: userID, filter: ConversationFilter(folder: folder), previewLength: previewLength)
    }

    /// A new conversation that never expires, as the original makes them.
    public func createConversation(userID: String, title: String, folder: String?) async throws -> Conversation {
        try await createConversation(userID: userID, title: title, folder: folder, expiry: .never)
    }

    /// The conversation's current branch.
    public func conversation(id: String) async throws -> ConversationDetail {
        try await conversation(id: id, branches: .current)
    }

    /// Adds a message after the current one, as the original API does.
    public func addMessage(conversationID: String, role: String, content: String, details: MessageDetails = .none) async throws -> Message {
        try await addMessage(conversationID: conversationID, role: role, content: content, details: details, parent: .current)
    }

    /// Deletes the message alone, as the original API does.
    public func deleteMessage(id: String) async throws {
        try await deleteMessage(id: id, withReplies: false)
    }

    /// New content for a message, its details unchanged.
    public func updateMessage(id: String, content: String?) async throws -> Message {
        try await updateMessage(id: id, content: content, details: MessageDetailChanges())
    }
}
