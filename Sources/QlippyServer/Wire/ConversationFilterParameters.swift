import QlippyModel

/// The query parameters that choose a user's conversations, on the list and the search:
/// `folder` (`""`: unfiled), `archived` (`false`, the default, `true` or `all`), `pinned` (`true`
/// or `false`) and `tag`. Without them the list is the original's, less archived conversations.
enum ConversationFilterParameters {
    static func filter(_ parameters: QueryParameters) throws(APIError) -> ConversationFilter {
        var filter = ConversationFilter(folder: parameters["folder"])
        if let archived = parameters["archived"] {
            guard let value = ConversationFilter.Archived(rawValue: archived) else {
                throw .invalidParameter("archived", "true, false or all")
            }
            filter.archived = value
        }
        switch parameters["pinned"] {
        case nil: break
        case "true": filter.pinned = true
        case "false": filter.pinned = false
        default: throw .invalidParameter("pinned", "true or false")
        }
        if let tag = parameters["tag"] {
            guard !tag.isEmpty else { throw .invalidParameter("tag", "a tag's name") }
            filter.tag = tag
        }
        return filter
    }
}
