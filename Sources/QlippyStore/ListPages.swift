import QlippyModel

/// The original's lists read page by page (keyset pages, see ``PageKey``).
public protocol ListPages: Sendable {
    /// A page of ``ChatResources/conversations(ofUser:filter:previewLength:)`` as the list stood when
    /// the walk began (see ``ConversationWalk``): `walkStart` is the cursor's, `nil` on a first page,
    /// which begins a walk now. The answer's `next` and `walkStart` continue the same walk. An
    /// unknown user is "User not found".
    func conversationPage(
        ofUser userID: String, filter: ConversationFilter, previewLength: Int, page: PageRequest, walkStart: Timestamp?
    )
        async throws -> ConversationPage
    /// A page of the conversation's current branch or of all its messages
    /// (``ChatResources/conversation(id:branches:)``), in the order of their keys.
    func messagePage(ofConversation conversationID: String, page: PageRequest, branches: BranchSelection) async throws -> Page<Message>
    /// A page of ``ChatResources/plugins(ofUser:)``.
    func pluginPage(ofUser userID: String, page: PageRequest) async throws -> Page<Plugin>
}
