import Foundation
import QlippyModel
import QlippyStore

/// A chat of Open WebUI's export (*Settings → Chats → Export*: a JSON array of chats), read
/// leniently: `id` and `chat.history.messages` are required, the rest may be missing.
package struct OpenWebUIChat: Decodable {
    package var sourceID: String
    package var title: String?
    package var createdAt: Double?
    package var updatedAt: Double?
    package var currentID: String?
    package var messages: [String: Message]

    package struct Message: Decodable {
        var parentID: String?
        var role: String
        var content: String
        var timestamp: Double?
        /// The model that wrote an assistant message.
        var model: String?

        enum CodingKeys: String, CodingKey {
            case role, content, timestamp, model
            case parentID = "parentId"
        }

        package init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            parentID = try? container.decodeIfPresent(String.self, forKey: .parentID)
            role = (try? container.decodeIfPresent(String.self, forKey: .role)) ?? "unknown"
            content = (try? container.decodeIfPresent(String.self, forKey: .content)) ?? ""
            timestamp = try? container.decodeIfPresent(Double.self, forKey: .timestamp)
            model = try? container.decodeIfPresent(String.self, forKey: .model)
        }
    }

    private enum CodingKeys: String, CodingKey {
        case id, title, chat
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    private struct Chat: Decodable {
        var title: String?
        var history: History
    }

    private struct History: Decodable {
        var messages: [String: Message]
        var currentID: String?
        enum CodingKeys: String, CodingKey {
            case messages
            case currentID = "currentId"
        }
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        sourceID = try container.decode(String.self, forKey: .id)
        let chat = try container.decode(Chat.self, forKey: .chat)
        title = chat.title ?? (try? container.decodeIfPresent(String.self, forKey: .title)) ?? nil
        createdAt = try? container.decodeIfPresent(Double.self, forKey: .createdAt)
        updatedAt = try? container.decodeIfPresent(Double.self, forKey: .updatedAt)
        currentID = chat.history.currentID
        messages = chat.history.messages
    }
}

/// Open WebUI's chats made into ours: the whole `history.messages` tree, user and assistant turns,
/// with `currentId` as the current message.
package enum OpenWebUIImport {
    package static func conversation(_ source: OpenWebUIChat, userID: String, skipped: inout [String: Int]) throws -> ImportedConversation {
        let name = "openwebui/\(userID)/\(source.sourceID)"
        let created = source.createdAt.flatMap(timestamp)
        let seen = source.currentID ?? source.messages.max { ($0.value.timestamp ?? 0, $0.key) < ($1.value.timestamp ?? 0, $1.key) }?.key
        let nodes = source.messages.mapValues { message in
            MessageTree.Node(parent: message.parentID, time: message.timestamp.flatMap(timestamp))
        }
        let tree =
            try seen.map { seen in
                try MessageTree.messages(nodes, seen: seen, named: "currentId", conversationTime: created) { id, time in
                    guard let message = source.messages[id] else { return nil }
                    guard message.role == "user" || message.role == "assistant" else {
                        skipped[message.role == "system" ? "system" : "other_role", default: 0] += 1
                        return nil
                    }
                    guard !message.content.allSatisfy(\.isWhitespace) else {
                        skipped["empty", default: 0] += 1
                        return nil
                    }
                    return ImportedMessage(
                        id: StableID.make("\(name)/\(id)", in: name), role: message.role, content: message.content, timestamp: time,
                        details: MessageDetails(model: ImportedText.model(message.model)))
                }
            } ?? (messages: [], current: nil)
        return ImportedConversation(
            id: StableID.make(name), title: ImportedText.title(source.title), folder: nil,
            createdAt: created ?? tree.messages.first?.timestamp,
            lastUpdated: source.updatedAt.flatMap(timestamp) ?? tree.messages.last?.timestamp ?? created,
            messages: tree.messages, currentMessageID: tree.current
        )
    }

    /// Open WebUI writes seconds in most places and milliseconds in some: a value past the year
    /// 33658 in seconds is milliseconds.
    package static func timestamp(_ value: Double) -> Timestamp? {
        ChatGPTImport.timestamp(value > 1e12 ? value / 1000 : value)
    }
}
