import QlippyModel

/// A ``ConversationFilter`` as conditions on conversations `c`, with their arguments in order;
/// expired conversations are always left out.
///
/// Each condition stands on its own (no join it relies on), so the lists, the pages and the
/// search share them. The archived conversations, the pinned ones and a tag's are each found
/// through an index of their own (a partial index of `conversation_marks`, or
/// `conversation_tags`' key); a list without archived ones probes `conversation_marks` per
/// conversation, which is empty for a user who never organized.
struct ConversationFilterSQL {
    private(set) var condition = ""
    private(set) var arguments: [String] = []

    /// `userID` is the owner the marks' and tags' indexes are searched by.
    init(_ filter: ConversationFilter, userID: String = "") {
        if let folder = filter.folder {
            if folder.isEmpty {
                condition += " AND (c.folder IS NULL OR c.folder = '')"
            } else {
                condition += " AND c.folder = ?"
                arguments.append(folder)
            }
        }
        if filter.archived == .only { marked("archived", userID) }
        // Expired conversations are gone for every list: one probe for them and, by default, the archived.
        let left = "a.expires_at <= \(Queries.now)" + (filter.archived == .hidden ? " OR a.archived" : "")
        condition += " AND NOT EXISTS (SELECT 1 FROM conversation_marks a WHERE a.conversation_id = c.id AND (\(left)))"
        switch filter.pinned {
        case true?: marked("pinned", userID)
        case false?: condition += " AND NOT EXISTS (SELECT 1 FROM conversation_marks p WHERE p.conversation_id = c.id AND p.pinned)"
        case nil: break
        }
        if let tag = filter.tag {
            condition += " AND c.id IN (SELECT t.conversation_id FROM conversation_tags t WHERE t.user_id = ? AND t.tag_key = ?)"
            arguments += [userID, ConversationMarks.tagKey(tag)]
        }
    }

    /// Only conversations with a mark set, from the mark's partial index.
    private mutating func marked(_ column: String, _ userID: String) {
        condition += " AND c.id IN (SELECT m.conversation_id FROM conversation_marks m WHERE m.user_id = ? AND m.\(column))"
        arguments.append(userID)
    }
}
