import QlippyModel

/// Reading a user's whole history out, and writing imported history in.
public protocol HistoryTransfer: Sendable {
    /// Up to `limit` of the user's conversations with all their messages, in creation order (then id;
    /// rows without a creation time first), starting after `after`: an export reads a user page by
    /// page, so that its memory does not grow with the user's history.
    func exportPage(userID: String, after: ExportCursor?, limit: Int) async throws -> [ConversationDetail]

    /// Writes one imported conversation and its messages, in their order, in one transaction
    /// (the search index with them); see ``ImportedConversation`` for what happens to its ids.
    func importConversation(_ conversation: ImportedConversation, userID: String) async throws -> ImportOutcome

    /// Writes one imported plugin, with the same rule for its id.
    func importPlugin(_ plugin: ImportedPlugin, userID: String) async throws -> ImportOutcome
}
