import QlippyStore

/// The JSON shapes of the contract's resources (`../API.md`, "Resources"), field by field.
extension JSONWriter {
    /// Characters of the newest message shown in a conversation list.
    static let listPreviewLength = 100

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
