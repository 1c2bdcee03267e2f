import QlippyModel
import QlippyStore

/// A conversation of ChatGPT's data export (`conversations.json`, or each `conversations-NNN.json`
/// of the newer split archive), read as leniently as its many versions need: only `mapping` and an
/// id are required; every other field may be missing or of an unexpected shape.
///
/// The messages form a tree (`mapping`: node id → message and `parent`); edits make branches, and
/// `current_node` is the leaf the user last saw. ``ChatGPTImport`` follows it up to the root.
package struct ChatGPTConversation: Decodable, Equatable {
    package var sourceID: String
    package var title: String?
    package var createTime: Double?
    package var updateTime: Double?
    package var currentNode: String?
    /// The model of the conversation's answers that do not name their own.
    package var defaultModelSlug: String?
    package var mapping: [String: Node]

    package init(
        sourceID: String, title: String?, createTime: Double?, updateTime: Double?, currentNode: String?, defaultModelSlug: String?,
        mapping: [String: Node]
    ) {
        self.sourceID = sourceID
        self.title = title
        self.createTime = createTime
        self.updateTime = updateTime
        self.currentNode = currentNode
        self.defaultModelSlug = defaultModelSlug
        self.mapping = mapping
    }

    package enum CodingKeys: String, CodingKey {
        case title, mapping, id
        case conversationID = "conversation_id"
        case createTime = "create_time"
        case updateTime = "update_time"
        case currentNode = "current_node"
        case defaultModelSlug = "default_model_slug"
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard
            let id = (try? container.decodeIfPresent(String.self, forKey: .conversationID))
                ?? (try? container.decodeIfPresent(String.self, forKey: .id))
        else {
            throw DecodingError.keyNotFound(CodingKeys.conversationID, .init(codingPath: [], debugDescription: "no conversation_id or id"))
        }
        sourceID = id
        title = try? container.decodeIfPresent(String.self, forKey: .title)
        createTime = try? container.decodeIfPresent(Double.self, forKey: .createTime)
        updateTime = try? container.decodeIfPresent(Double.self, forKey: .updateTime)
        currentNode = try? container.decodeIfPresent(String.self, forKey: .currentNode)
        defaultModelSlug = try? container.decodeIfPresent(String.self, forKey: .defaultModelSlug)
        mapping = try container.decode([String: Node].self, forKey: .mapping)
    }

    package struct Node: Decodable, Equatable {
        var parent: String?
        var message: Message?

        enum CodingKeys: String, CodingKey { case parent, message }

        init(parent: String?, message: Message?) {
            self.parent = parent
            self.message = message
        }

        package init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            parent = try? container.decodeIfPresent(String.self, forKey: .parent)
            message = try? container.decodeIfPresent(Message.self, forKey: .message)
        }
    }

    package struct Message: Decodable, Equatable {
        var role: String
        var createTime: Double?
        var contentType: String
        var parts: [Part]
        var text: String?
        var language: String?
        /// `metadata.is_visually_hidden_from_conversation`: context the app never showed.
        var isHidden: Bool
        /// `metadata.model_slug`: the model that wrote the message.
        var modelSlug: String?

        init(
            role: String, createTime: Double?, contentType: String, parts: [Part], text: String?, language: String?, isHidden: Bool,
            modelSlug: String?
        ) {
            self.role = role
            self.createTime = createTime
            self.contentType = contentType
            self.parts = parts
            self.text = text
            self.language = language
            self.isHidden = isHidden
            self.modelSlug = modelSlug
        }

        enum CodingKeys: String, CodingKey {
            case author, content, metadata
            case createTime = "create_time"
        }

        private struct Author: Decodable { var role: String? }
        /// Two records over `metadata`, so that a field of another kind loses only itself.
        private struct Metadata: Decodable {
            var hidden: Bool?
            enum CodingKeys: String, CodingKey { case hidden = "is_visually_hidden_from_conversation" }
        }
        private struct ModelMetadata: Decodable {
            var modelSlug: String?
            enum CodingKeys: String, CodingKey { case modelSlug = "model_slug" }
        }
        private struct Content: Decodable {
            var contentType: String?
            var parts: [Part]?
            var text: String?
            var language: String?
            enum CodingKeys: String, CodingKey {
                case parts, text, language
                case contentType = "content_type"
            }
        }

        package init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            role = (try? container.decodeIfPresent(Author.self, forKey: .author))??.role ?? "unknown"
            createTime = try? container.decodeIfPresent(Double.self, forKey: .createTime)
            isHidden = (try? container.decodeIfPresent(Metadata.self, forKey: .metadata))??.hidden ?? false
            modelSlug = (try? container.decodeIfPresent(ModelMetadata.self, forKey: .metadata))??.modelSlug
            let content = (try? container.decodeIfPresent(Content.self, forKey: .content)) ?? nil
            contentType = content?.contentType ?? "text"
            parts = content?.parts ?? []
            text = content?.text
            language = content?.language
        }
    }

    /// One part of a message's content: text, or a pointer to something that was attached.
    package enum Part: Decodable, Equatable {
        case text(String)
        case image, audio, file
        case nothing

        private struct Pointer: Decodable {
            var contentType: String?
            enum CodingKeys: String, CodingKey { case contentType = "content_type" }
        }

        package init(from decoder: any Decoder) throws {
            if let text = try? decoder.singleValueContainer().decode(String.self) {
                self = .text(text)
            } else if let pointer = try? Pointer(from: decoder), let type = pointer.contentType {
                self = type.contains("image") ? .image : type.contains("audio") ? .audio : .file
            } else {
                self = .nothing
            }
        }
    }
}
