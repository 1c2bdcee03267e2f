import QlippyStore

/// The JSON shapes of the contract's resources (`../API.md`, "Resources"), field by field.
extension JSONWriter {
    /// Characters of the newest message shown in a conversation list.
    static let listPreviewLength = 100
    /// Characters of a matching message shown in search results.
    static let searchPreviewLength = 150

    mutating func write(_ user: User) {
        beginObject()
        field("id", user.id)
        field("username", user.username)
        field("created_at", user.createdAt)
        field("conversation_count", user.conversationCount)
        endObject()
    }

    mutating func write(_ conversation: Conversation) {
        beginObject()
        writeFields(of: conversation)
        endObject()
    }

    mutating func write(_ summary: ConversationSummary) {
        beginObject()
        writeFields(of: summary.conversation)
        key("last_message_preview")
        writePreview(summary.lastMessagePreview)
        endObject()
    }

    mutating func write(_ detail: ConversationDetail) {
        beginObject()
        writeFields(of: detail.conversation)
        key("messages")
        beginArray()
        for message in detail.messages { write(message) }
        endArray()
        endObject()
    }

    mutating func write(_ message: Message) {
        beginObject()
        field("id", message.id)
        field("conversation_id", message.conversationID)
        field("role", message.role)
        field("content", message.content)
        field("timestamp", message.timestamp)
        endObject()
    }

    mutating func write(_ plugin: Plugin) {
        beginObject()
        field("id", plugin.id)
        field("user_id", plugin.userID)
        field("name", plugin.name)
        field("description", plugin.description)
        field("enabled", plugin.enabled)
        field("created_at", plugin.createdAt)
        endObject()
    }

    mutating func write(_ created: Resource) {
        switch created {
        case .user(let user): write(user)
        case .conversation(let conversation): write(conversation)
        case .message(let message): write(message)
        case .plugin(let plugin): write(plugin)
        }
    }

    mutating func write(_ folder: Folder) {
        beginObject()
        field("name", folder.name)
        field("conversation_count", folder.conversationCount)
        field("last_updated", folder.lastUpdated)
        endObject()
    }

    /// The search answer: `{"query", "total_results", "results"}`, plus `next_cursor` when paging.
    mutating func write(_ search: SearchResults, for request: SearchRequest) {
        let folded = request.highlights ? SearchFolding.fold(request.query.text) : []
        beginObject()
        field("query", request.query.text)
        field("total_results", search.total)
        key("results")
        beginArray()
        for result in search.results {
            beginObject()
            writeFields(of: result.summary.conversation)
            key("last_message_preview")
            writePreview(result.summary.lastMessagePreview)
            field("match_count", result.matchCount)
            key("matching_messages")
            beginArray()
            for message in result.matchingMessages {
                let preview = TextPrefix(of: message.content, length: Self.searchPreviewLength)
                beginObject()
                field("id", message.id)
                field("role", message.role)
                field("content", message.content)
                field("timestamp", message.timestamp)
                key("preview")
                writePreview(preview)
                if request.highlights {
                    key("highlights")
                    beginArray()
                    for range in SearchFolding.matches(of: folded, in: preview.text) {
                        beginArray()
                        value(range.lowerBound)
                        value(range.upperBound)
                        endArray()
                    }
                    endArray()
                }
                endObject()
            }
            endArray()
            endObject()
        }
        endArray()
        if request.pages {
            key("next_cursor")
            value(search.hasMore ? search.results.last.map { SearchCursorText.encode($0.cursor) } : nil)
        }
        endObject()
    }

    /// `{"path", "bytes", "created_at", "integrity": "ok", "counts": {table: rows}}`.
    mutating func write(backup: BackupSummary) {
        beginObject()
        field("path", backup.path)
        field("bytes", backup.bytes)
        field("created_at", backup.createdAt)
        field("integrity", "ok")
        key("counts")
        beginObject()
        let counts = backup.report.counts
        field("users", counts["users"] ?? 0)
        field("conversations", counts["conversations"] ?? 0)
        field("messages", counts["messages"] ?? 0)
        field("plugins", counts["plugins"] ?? 0)
        endObject()
        endObject()
    }

    /// `{"message": text}`: the answer to a successful delete.
    mutating func writeConfirmation(_ text: String) {
        beginObject()
        field("message", text)
        endObject()
    }

    mutating func write<Element>(array elements: [Element], _ writeElement: (inout JSONWriter, Element) -> Void) {
        beginArray()
        for element in elements { writeElement(&self, element) }
        endArray()
    }

    /// A prefix plus `...` when the text was longer; `""` when there is no text.
    mutating func writePreview(_ preview: TextPrefix?) {
        guard let preview else { return value("") }
        value(preview.text, suffix: preview.isTruncated ? "..." : "")
    }

    private mutating func writeFields(of conversation: Conversation) {
        field("id", conversation.id)
        field("title", conversation.title)
        field("folder", conversation.folder)
        field("user_id", conversation.userID)
        field("created_at", conversation.createdAt)
        field("last_updated", conversation.lastUpdated)
        field("message_count", conversation.messageCount)
    }
}
