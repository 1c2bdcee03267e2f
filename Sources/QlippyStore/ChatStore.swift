import QlippyModel

/// Storage for users, conversations, messages and plugins, independent of HTTP: every concern a
/// server needs, each declared by its own protocol so that a caller can ask for only the part it
/// uses (the importer needs ``HistoryTransfer``, the event stream ``ChangeLogReader``).
///
/// Every method is one transaction. Lookups of a missing row throw ``StoreError/notFound(_:)``
/// rather than returning optionals, so that callers map "not found" in exactly one place.
/// Ids are lowercase UUID strings; callers normalise them before calling.
public protocol ChatStore: ChatResources, ConversationSearch, ListPages, HistoryTransfer, IdempotentCreates, ChangeLogReader,
    UsageSummaries, AccountStore, ExpiredConversations, ShareLinks, StoreLifecycle
{}
