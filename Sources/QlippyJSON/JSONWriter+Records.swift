import QlippyModel

/// The JSON shapes of the contract's resources (`../API.md`, "Resources"), field by field: the
/// API's answers and our export write them alike.
extension JSONWriter {
    package mutating func write(_ user: User) {
        beginObject()
        field("id", user.id)
        field("username", user.username)
        field("created_at", user.createdAt)
        field("conversation_count", user.conversationCount)
        endObject()
    }

    package mutating func write(_ conversation: Conversation) {
        beginObject()
        writeFields(of: conversation)
        endObject()
    }

    package mutating func write(_ summary: ConversationSummary) {
        beginObject()
        writeFields(of: summary.conversation)
        key("last_message_preview")
        writePreview(summary.lastMessagePreview)
        endObject()
    }

    package mutating func write(_ detail: ConversationDetail) {
        beginObject()
        writeFields(of: detail.conversation)
        key("messages")
        beginArray()
        for message in detail.messages { write(message) }
        endArray()
        endObject()
    }

    package mutating func write(_ message: Message) {
        beginObject()
        field("id", message.id)
        field("conversation_id", message.conversationID)
        field("role", message.role)
        field("content", message.content)
        field("timestamp", message.timestamp)
        if let parent = message.parent { field("parent_id", parent.id) }
        writeFields(of: message.details)
        endObject()
    }

    /// A message's details, each only when set, so that a message without any is written exactly
    /// as the original wrote it. Metadata keys in byte order.
    private mutating func writeFields(of details: MessageDetails) {
        if let model = details.model { field("model", model) }
        if let usage = details.usage {
            key("usage")
            beginObject()
            field("input_tokens", usage.inputTokens)
            field("output_tokens", usage.outputTokens)
            endObject()
        }
        if let finishReason = details.finishReason { field("finish_reason", finishReason) }
        if !details.metadata.isEmpty {
            key("metadata")
            beginObject()
            for (name, value) in details.sortedMetadata { dynamicField(name, value) }
            endObject()
        }
    }

    package mutating func write(_ plugin: Plugin) {
        beginObject()
        field("id", plugin.id)
        field("user_id", plugin.userID)
        field("name", plugin.name)
        field("description", plugin.description)
        field("enabled", plugin.enabled)
        field("created_at", plugin.createdAt)
        endObject()
    }

    package mutating func write(_ created: Resource) {
        switch created {
        case .user(let user): write(user)
        case .conversation(let conversation): write(conversation)
        case .message(let message): write(message)
        case .plugin(let plugin): write(plugin)
        }
    }

    package mutating func write(_ folder: Folder) {
        beginObject()
        field("name", folder.name)
        field("conversation_count", folder.conversationCount)
        field("last_updated", folder.lastUpdated)
        endObject()
    }

    package mutating func write(_ tag: Tag) {
        beginObject()
        field("name", tag.name)
        field("conversation_count", tag.conversationCount)
        endObject()
    }

    /// A share link as its owner sees it: `url` is where it is read.
    package mutating func write(_ link: ShareLink, url: String, listed: Bool) {
        beginObject()
        field("share_id", link.id)
        field("url", url)
        field("created_at", link.createdAt)
        if listed {
            field("conversation_id", link.conversationID)
            field("title", link.title)
            field("updated_at", link.updatedAt)
        }
        endObject()
    }

    /// A share link's snapshot as anyone with the link reads it.
    package mutating func write(_ shared: SharedConversation, link: ShareLink) {
        beginObject()
        field("share_id", link.id)
        field("title", shared.title)
        field("created_at", link.createdAt)
        field("updated_at", link.updatedAt)
        key("messages")
        write(array: shared.messages) { json, message in
            json.beginObject()
            json.field("role", message.role)
            json.field("content", message.content)
            json.field("timestamp", message.timestamp)
            if let model = message.model { json.field("model", model) }
            json.endObject()
        }
        endObject()
    }

    package mutating func write<Element>(array elements: [Element], _ writeElement: (inout JSONWriter, Element) -> Void) {
        beginArray()
        for element in elements { writeElement(&self, element) }
        endArray()
    }

    /// A prefix plus `...` when the text was longer; `""` when there is no text.
    package mutating func writePreview(_ preview: TextPrefix?) {
        guard let preview else { return value("") }
        value(preview.text, suffix: preview.isTruncated ? "..." : "")
    }

    package mutating func writeFields(of conversation: Conversation) {
        field("id", conversation.id)
        field("title", conversation.title)
        field("folder", conversation.folder)
        field("user_id", conversation.userID)
        field("created_at", conversation.createdAt)
        field("last_updated", conversation.lastUpdated)
        field("message_count", conversation.messageCount)
        if let current = conversation.currentMessageID { field("current_message_id", current) }
        writeFields(of: conversation.marks)
    }

    /// Only the marks a conversation has: one nobody organized answers as the original's did.
    private mutating func writeFields(of marks: ConversationMarks) {
        if marks.pinned { field("pinned", true) }
        if marks.archived { field("archived", true) }
        if !marks.tags.isEmpty {
            key("tags")
            write(array: marks.tags) { $0.value($1) }
        }
        if let expiresAt = marks.expiresAt { field("expires_at", expiresAt) }
    }
}
