import QlippyModel
import QlippyStore

/// A search's candidate conversations (the user's, after the folder filter) and, per conversation,
/// the rowids of its matching messages, gathered in one pass over ``SearchSQL``'s pairs.
///
/// Conversations are keyed by rowid, an integer: a common term yields a pair per hit (970 000 on
/// the `large` benchmark file), and the pairs of one conversation often come in a row, so the last
/// key is checked before the dictionary.
struct SearchHits {
    struct Conversation {
        let rowid: Int64
        let id: String
        let lastUpdated: Timestamp?
        var titleMatches = false
        /// The matching messages' rowids, in the order they were found.
        var messageRowIDs: [Int64] = []

        var matchCount: Int { messageRowIDs.count }
        var matches: Bool { titleMatches || !messageRowIDs.isEmpty }
        var rank: SearchCursor { SearchCursor(matchCount: matchCount, lastUpdated: lastUpdated, conversationID: id) }
    }

    private var conversations: [Conversation] = []
    private var positions: [Int64: Int] = [:]
    private var lastRowID: Int64 = -1
    private var lastPosition: Int?

    /// Adds a row of ``SearchSQL/conversations(_:)``; `titleMatches` says whether its title is a hit.
    mutating func add(conversation row: Columns, titleMatches: Bool) {
        let rowid = row.int64(0)
        positions[rowid] = conversations.count
        conversations.append(Conversation(rowid: rowid, id: row.text(1) ?? "", lastUpdated: row.timestamp(2), titleMatches: titleMatches))
    }

    /// Adds a matching message, given as a row starting with its conversation's rowid then its own;
    /// one of a conversation that is not a candidate is ignored.
    mutating func add(message row: Columns) {
        add(message: row.int64(1), ofConversation: row.int64(0))
    }

    mutating func add(message rowid: Int64, ofConversation conversation: Int64) {
        if conversation != lastRowID {
            lastRowID = conversation
            lastPosition = positions[conversation]
        }
        guard let position = lastPosition else { return }
        conversations[position].messageRowIDs.append(rowid)
    }

    /// Conversations with a matching title or message.
    var matching: [Conversation] { conversations.filter(\.matches) }
}
