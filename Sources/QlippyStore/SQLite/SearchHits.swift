/// Search hits gathered per conversation in one pass over the matching rows (``SearchSQL``'s columns).
struct SearchHits {
    struct Match: Comparable {
        var timestamp: Timestamp?
        var rowid: Int64

        /// Creation order as the conversation shows it: timestamp (none first), then rowid.
        static func < (lhs: Match, rhs: Match) -> Bool {
            switch (lhs.timestamp, rhs.timestamp) {
            case let (l?, r?) where l != r: l < r
            case (nil, _?): true
            case (_?, nil): false
            default: lhs.rowid < rhs.rowid
            }
        }
    }

    struct Conversation {
        let conversationID: String
        let lastUpdated: Timestamp?
        var count = 0
        /// The first three matching messages, in order.
        var firstMatches: [Match] = []

        mutating func add(_ match: Match) {
            count += 1
            guard firstMatches.count < 3 || match < firstMatches[2] else { return }
            firstMatches.insert(match, at: firstMatches.firstIndex { match < $0 } ?? firstMatches.endIndex)
            if firstMatches.count > 3 { firstMatches.removeLast() }
        }
    }

    private var conversations: [String: Conversation] = [:]

    var count: Int { conversations.count }

    mutating func add(message row: Columns) {
        let id = row.text(0) ?? ""
        let match = Match(timestamp: row.timestamp(2), rowid: row.int64(1))
        conversations[id, default: Conversation(conversationID: id, lastUpdated: row.timestamp(3))].add(match)
    }

    /// A conversation whose title matches: it is a result even with no matching message.
    mutating func add(title row: Columns) {
        let id = row.text(0) ?? ""
        if conversations[id] == nil {
            conversations[id] = Conversation(conversationID: id, lastUpdated: row.timestamp(3))
        }
    }

    /// Most matches first, then newest `lastUpdated` (none last), then by id; only those after `cursor`.
    func ordered(after cursor: SearchCursor?) -> [Conversation] {
        let all = conversations.values.sorted(by: Self.precedes)
        guard let cursor else { return all }
        let position = Conversation(conversationID: cursor.conversationID, lastUpdated: cursor.lastUpdated, count: cursor.matchCount)
        return all.filter { Self.precedes(position, $0) }
    }

    private static func precedes(_ lhs: Conversation, _ rhs: Conversation) -> Bool {
        if lhs.count != rhs.count { return lhs.count > rhs.count }
        switch (lhs.lastUpdated, rhs.lastUpdated) {
        case let (l?, r?) where l != r: return l > r
        case (_?, nil): return true
        case (nil, _?): return false
        default: return lhs.conversationID < rhs.conversationID
        }
    }
}
