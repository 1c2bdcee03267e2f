import Foundation
import QlippyModel
import QlippyStore

/// The records of our own export (``ExportWriter``) read back: ids, timestamps, folders and order
/// as written. The file's top level is read by ``Importer`` member by member; each conversation and
/// plugin decodes on its own (``Lossy``): one that cannot be read is reported and skipped, and the
/// rest of the file still arrives.
package enum QlippyExportFile {
    package struct PluginEntry: Decodable {
        @WireID var id: String
        var name: String
        var description: String?
        var enabled: Bool?
        @WireTimestamp var createdAt: Timestamp?

        enum CodingKeys: String, CodingKey {
            case id, name, description, enabled
            case createdAt = "created_at"
        }

        var imported: ImportedPlugin {
            ImportedPlugin(id: id, name: name, description: description, enabled: enabled, createdAt: createdAt)
        }
    }

    package struct ConversationEntry: Decodable {
        @WireID var id: String
        var title: String
        var folder: String?
        @WireTimestamp var createdAt: Timestamp?
        @WireTimestamp var lastUpdated: Timestamp?
        var messages: [MessageEntry]
        /// Version 2's current message; `nil` in version 1 (the last message).
        @OptionalWireID var currentMessageID: String?
        /// Version 3's marks, written only when set.
        var pinned: Bool?
        var archived: Bool?
        var tags: [String]?
        @WireTimestamp var expiresAt: Timestamp?

        enum CodingKeys: String, CodingKey {
            case id, title, folder, messages, pinned, archived, tags
            case expiresAt = "expires_at"
            case createdAt = "created_at"
            case lastUpdated = "last_updated"
            case currentMessageID = "current_message_id"
        }

        /// The messages in the store's order (time, those without one first; the file's order among
        /// equal times), which our export writes them in already and a file written by hand may not.
        var imported: ImportedConversation {
            ImportedConversation(
                id: id, title: title, folder: folder, createdAt: createdAt, lastUpdated: lastUpdated,
                messages: messages.enumerated().sorted { a, b in
                    (a.element.timestamp?.microsecondsSinceEpoch ?? .min, a.offset) < (
                        b.element.timestamp?.microsecondsSinceEpoch ?? .min, b.offset
                    )
                }.map(\.element).map {
                    ImportedMessage(
                        id: $0.id, role: $0.role, content: $0.content, timestamp: $0.timestamp, details: $0.details, parent: $0.parent)
                },
                currentMessageID: currentMessageID,
                marks: ConversationMarks(
                    pinned: pinned ?? false, archived: archived ?? false,
                    tags: Array(ConversationMarks.tags((tags ?? []).filter(ConversationMarks.isValidTag)).prefix(FieldLimits.tags)),
                    expiresAt: expiresAt)
            )
        }
    }

    /// A message with the details our export writes when it has them (``MessageDetails``); details
    /// outside their limits make the conversation unreadable, as any other bad value does.
    package struct MessageEntry: Decodable {
        @WireID var id: String
        var role: String
        var content: String
        @WireTimestamp var timestamp: Timestamp?
        var details: MessageDetails
        /// Version 2's `parent_id` (`null`: a first message); absent in version 1 (the message before).
        var parent: MessageParent?

        enum CodingKeys: String, CodingKey {
            case id, role, content, timestamp, model, usage, metadata
            case finishReason = "finish_reason"
            case parentID = "parent_id"
        }

        struct Usage: Decodable {
            var inputTokens: Int
            var outputTokens: Int

            enum CodingKeys: String, CodingKey {
                case inputTokens = "input_tokens"
                case outputTokens = "output_tokens"
            }
        }

        package init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            _id = try container.decode(WireID.self, forKey: .id)
            role = try container.decode(String.self, forKey: .role)
            content = try container.decode(String.self, forKey: .content)
            _timestamp = try container.decode(WireTimestamp.self, forKey: .timestamp)
            if container.contains(.parentID) {
                parent = try MessageParent(row: container.decode(OptionalWireID.self, forKey: .parentID).wrappedValue)
            }
            let usage = try container.decodeIfPresent(Usage.self, forKey: .usage)
            details = MessageDetails(
                model: try container.decodeIfPresent(String.self, forKey: .model),
                usage: usage.map { TokenUsage(inputTokens: $0.inputTokens, outputTokens: $0.outputTokens) },
                finishReason: try container.decodeIfPresent(String.self, forKey: .finishReason),
                metadata: try container.decodeIfPresent([String: String].self, forKey: .metadata) ?? [:])
            if let problem = details.problem {
                throw DecodingError.dataCorrupted(.init(codingPath: container.codingPath, debugDescription: problem.description))
            }
        }
    }
}

/// An element of an array that decodes on its own: a value, or why it could not be read (with the
/// `id` and `title` it carried, when it had them, for the report).
package struct Lossy<Value: Decodable>: Decodable {
    package var result: Result<Value, any Error>
    package var sourceID: String
    package var title: String

    package init(result: Result<Value, any Error>, sourceID: String, title: String) {
        self.result = result
        self.sourceID = sourceID
        self.title = title
    }

    private struct Identity: Decodable {
        var id: String?
        var conversationID: String?
        var title: String?
        enum CodingKeys: String, CodingKey {
            case id, title
            case conversationID = "conversation_id"
        }
    }

    package init(from decoder: any Decoder) throws {
        let identity = try? Identity(from: decoder)
        sourceID = identity?.conversationID ?? identity?.id ?? ""
        title = identity?.title ?? ""
        do {
            result = .success(try Value(from: decoder))
        } catch {
            result = .failure(error)
        }
    }
}

/// An id field: a UUID in either case, kept lowercase; anything else fails the record.
@propertyWrapper
package struct WireID: Decodable {
    package var wrappedValue: String

    package init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let id = UUIDText.normalized(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text.prefix(40))' is not a UUID")
        }
        wrappedValue = id
    }
}

/// An id field that may be `null` or absent (`nil`); a value that is not a UUID fails the record.
@propertyWrapper
package struct OptionalWireID: Decodable {
    package var wrappedValue: String?

    package init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        wrappedValue = container.decodeNil() ? nil : try WireID(from: decoder).wrappedValue
    }

    package init(wrappedValue: String?) {
        self.wrappedValue = wrappedValue
    }
}

/// A timestamp field as the API writes it (RFC 3339, or `null`); anything else fails the record.
@propertyWrapper
package struct WireTimestamp: Decodable {
    package var wrappedValue: Timestamp?

    package init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            wrappedValue = nil
            return
        }
        let text = try container.decode(String.self)
        guard let timestamp = Timestamp(iso8601: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not a timestamp")
        }
        wrappedValue = timestamp
    }
}

extension KeyedDecodingContainer {
    /// A missing id key reads as `null`, like an explicit one.
    package func decode(_ type: OptionalWireID.Type, forKey key: Key) throws -> OptionalWireID {
        try decodeIfPresent(type, forKey: key) ?? OptionalWireID(wrappedValue: nil)
    }

    /// A missing timestamp key reads as `null`, like an explicit one.
    package func decode(_ type: WireTimestamp.Type, forKey key: Key) throws -> WireTimestamp {
        try decodeIfPresent(type, forKey: key) ?? WireTimestamp(wrappedValue: nil)
    }
}

extension WireTimestamp {
    package init(wrappedValue: Timestamp?) {
        self.wrappedValue = wrappedValue
    }
}
