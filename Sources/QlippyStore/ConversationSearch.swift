import QlippyModel

/// Finding text in a user's conversations.
public protocol ConversationSearch: Sendable {
    /// The user's conversations containing the query's text in a message or the title (see ``SearchQuery``),
    /// most matching messages first, then newest `lastUpdated`; previews as in
    /// ``ChatResources/conversations(ofUser:folder:previewLength:)``.
    func search(userID: String, query: SearchQuery, previewLength: Int) async throws -> SearchResults
}
